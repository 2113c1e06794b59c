package activities_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/store"
)

// A notice with a key is posted once however often it is retried; its link
// is the console's, in the text and as a button, beside its own buttons.
func TestNotifyOncePerKeyWithLinkAndButtons(t *testing.T) {
	a, sb := newActivities(t)
	ctx := context.Background()
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a.Store, a.ConsoleURL = st, "https://console.example/"
	in := activities.NotifyInput{
		Team: sandbox.DemoTeamID, Channel: "U0SFADM01", Text: "Activate it.", Key: "wf@1/activate/U0SFADM01/0",
		Link:    "/slack/orgs/00D000000000001AAA",
		Buttons: []activities.NoticeButton{{ActionID: "sfconnect_activate", Text: "Activate", Value: "T0DEMO0001/00D000000000001AAA", Primary: true}},
	}
	for range 3 {
		if err := a.Notify(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	msgs := sb.Messages(sandbox.DemoTeamID, "U0SFADM01")
	if len(msgs) != 1 {
		t.Fatalf("%d messages for one key", len(msgs))
	}
	m := msgs[0]
	if !strings.Contains(m.Text, "https://console.example/slack/orgs/00D000000000001AAA") {
		t.Errorf("fallback text without the link: %q", m.Text)
	}
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			URL      string `json:"url"`
			Style    string `json:"style"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks) != 2 || blocks[1].Type != "actions" || len(blocks[1].Elements) != 2 {
		t.Fatalf("blocks: %s (%v)", m.Blocks, err)
	}
	act, open := blocks[1].Elements[0], blocks[1].Elements[1]
	if act.ActionID != "sfconnect_activate" || act.Value != "T0DEMO0001/00D000000000001AAA" || act.Style != "primary" {
		t.Errorf("the Activate button: %+v", act)
	}
	if open.URL != "https://console.example/slack/orgs/00D000000000001AAA" {
		t.Errorf("the console button: %+v", open)
	}
	// Another key is another notice; no key, no guard.
	in.Key = "wf@1/activate/U0SFADM01/1"
	if err := a.Notify(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, activities.NotifyInput{Team: sandbox.DemoTeamID, Channel: "U0SFADM01", Text: "plain"}); err != nil {
		t.Fatal(err)
	}
	if n := len(sb.Messages(sandbox.DemoTeamID, "U0SFADM01")); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}

// Step 2's reach: the org24 admin whom Slack knows by email, and the other
// listed as not reachable.
func TestReachApproversListsTheUnreachable(t *testing.T) {
	a, _ := newActivities(t)
	r, err := a.ReachApprovers(context.Background(), activities.ApproversInput{Team: sandbox.NoticesTeamID, OrgURL: "https://org24.my.salesforce.com", State: model.StatePendingApproval})
	if err != nil || !slices.Equal(r.Members, []string{"U0NORGAD1"}) || len(r.NotReachable) != 1 || !strings.HasPrefix(r.NotReachable[0], "Org 24 Second Admin (005") {
		t.Fatalf("reach: %+v %v", r, err)
	}
}

// An attempt that posted and stopped before recording leaves the notice
// pending: the retry finds it in Slack by its metadata and posts nothing.
func TestNotifyPendingFindsThePostInSlack(t *testing.T) {
	a, sb := newActivities(t)
	ctx := context.Background()
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a.Store = st
	const key = "job/j1/invitation/U0MEMBER2"
	if err := st.RecordNotice(ctx, key, ""); err != nil {
		t.Fatal(err)
	}
	ts, err := a.Slack.PostNotice(ctx, sandbox.DemoTeamID, "U0MEMBER2", "posted before the crash", key)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, activities.NotifyInput{Team: sandbox.DemoTeamID, Channel: "U0MEMBER2", Text: "again", Key: key}); err != nil {
		t.Fatal(err)
	}
	if n := len(sb.Messages(sandbox.DemoTeamID, "U0MEMBER2")); n != 1 {
		t.Errorf("%d messages, want the one posted before the crash", n)
	}
	if got, found, err := st.NoticeSent(ctx, key); err != nil || !found || got != ts {
		t.Errorf("record after the retry: %q %v %v, want %q", got, found, err, ts)
	}
	// Pending and not in Slack (the crash came before the post): posted.
	if err := st.RecordNotice(ctx, key+"b", ""); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, activities.NotifyInput{Team: sandbox.DemoTeamID, Channel: "U0MEMBER2", Text: "first time", Key: key + "b"}); err != nil {
		t.Fatal(err)
	}
	if n := len(sb.Messages(sandbox.DemoTeamID, "U0MEMBER2")); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}
