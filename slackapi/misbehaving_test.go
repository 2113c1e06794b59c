package slackapi_test

import (
	"context"
	"testing"

	"github.com/sfconnect/sfconnect/slackapi"
)

// A server that hands back the cursor it was sent would keep a paging loop
// going forever; both loops fail instead.
func TestStuckCursor(t *testing.T) {
	stuck := func(list string) []fault {
		body := map[string]any{"ok": true, list: []any{}, "response_metadata": map[string]any{"next_cursor": "o:0"}}
		return []fault{{body: body}, {body: body}}
	}

	f, d, _ := newDirectory(t)
	f.failNext("users.list", stuck("members")...)
	pages := 0
	err := d.ListMembers(context.Background(), acme, 2, func([]slackapi.Member) error { pages++; return nil })
	if err == nil || pages != 1 {
		t.Errorf("ListMembers: err = %v after %d pages, want an error after 1", err, pages)
	}

	f.failNext("admin.roles.listAssignments", stuck("role_assignments")...)
	if ok, err := d.HasRole(context.Background(), acme, "U0OWNER", slackapi.RoleSalesforceSystemAdmin); err == nil || ok {
		t.Errorf("HasRole = %v, %v; want an error", ok, err)
	}
}

func TestTeamOkFalseWithoutError(t *testing.T) {
	f, d, _ := newDirectory(t)
	f.failNext("team.info", fault{body: map[string]any{"ok": false}})
	if team, err := d.Team(context.Background(), acme); err == nil {
		t.Errorf("Team = %+v, want an error", team)
	}
}
