package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// TestEveryPageRenders renders each page with a full view, so that a
// template that fails at run time (a wrong field, a map key of the wrong
// type) fails here, and checks that what a page shows is escaped.
func TestEveryPageRenders(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	u := &SlackUser{Team: "T0DEMO0001", User: "U0OWNER01", Name: "Demo <Owner>"}
	active := workflows.Connection{
		ID: "c1", Workspace: "T0DEMO0001", OrgID: "00D000000000001AAA", OrgName: "acme", OrgURL: "https://acme.my.salesforce.com",
		MappingField: model.MappingEmail, MatchingField: "Email", State: model.StateActive, Version: 1, UpdateAvailable: true,
		IntegrationUser: "integration@acme.example", RequestedBy: "U0OWNER01", RequestedAt: time.Now(), Warnings: []string{"IP restrictions <on>"},
		BackgroundFailures: []workflows.BackgroundFailure{{Step: workflows.BackgroundHealthCheck, Failures: 2, Since: time.Now(), Error: "org <down>", NextTry: time.Now()}},
	}
	pending := active
	pending.State, pending.IntegrationUser = model.StatePendingActivation, ""
	found := &activities.SearchResult{Members: []activities.MemberMapping{{SlackUserID: "U0MEMBER1", SlackName: "<b>m1</b>", State: "unmapped"}, {SlackUserID: "U0MEMBER2", State: "linked"}}}
	counts := map[string]int{"linked": 1, "invited": 2, "cleared": 0}
	job := workflows.JobStatus{ID: "j1", Workspace: "T0DEMO0001", OrgID: active.OrgID, Phase: workflows.PhaseAwaitingApproval, Rows: 3, WouldInvite: 2, WouldRefuse: 1,
		RefusalReasons: map[string]int{"unknown <Slack> member": 1}, Risks: []string{"many refusals"}}
	sf := SalesforceUser{OrgID: active.OrgID, OrgName: "acme", UserID: "005000000000001AAA", Username: "admin@acme.example"}
	pendingApproval := active
	pendingApproval.State = model.StatePendingApproval
	rows := []orgRow{{workflows.ConnectionRef{OrgID: active.OrgID, OrgName: "acme<i>", OrgURL: active.OrgURL, State: model.StatePendingApproval}}}
	for name, view := range map[string]any{
		"home":        homePage{OrgError: "<bad>", OrgInput: "<x>"},
		"message":     messageView{Title: "T", Text: "<script>alert(1)</script>"},
		"orgs":        orgsView{User: u, Orgs: rows, Form: connectForm{OrgURL: `"><script>`}, Error: "refused <why>"},
		"org":         orgView{User: u, C: active, Tab: "users", Found: found, Counts: counts, Query: "<q>", Link: "http://x/link"},
		"disconnect":  disconnectView{User: u, C: active, Counts: counts, Error: "e"},
		"job":         jobView{User: u, Job: job},
		"connections": connectionsView{SF: sf, Connections: []workflows.Connection{pendingApproval, active}, Fields: MatchingFields, Team: "T0DEMO0001", Query: "m", Found: found},
		"member":      memberView{Team: "T0DEMO0001", OrgID: active.OrgID, Connection: active, Member: u},
	} {
		rec := httptest.NewRecorder()
		s.render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, name, view)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "</html>") {
			t.Errorf("page %s: %d %s", name, rec.Code, body)
		}
		if name == "org" && !strings.Contains(body, "Background step health-check failed 2 time(s)") {
			t.Errorf("the org page does not show the failing background step: %s", body)
		}
		for _, raw := range []string{"<script>", "<b>m1", "<bad>", "<i>", "<Slack>", "<why>", "<q>", "<down>"} {
			if strings.Contains(body, raw) {
				t.Errorf("page %s shows %q unescaped", name, raw)
			}
		}
	}
	// The auth tab and a pending page too.
	for _, view := range []orgView{{User: u, C: active, Tab: "auth", Objects: []string{"Account"}}, {User: u, C: pending}} {
		rec := httptest.NewRecorder()
		s.render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "org", view)
		if rec.Code != http.StatusOK {
			t.Errorf("org page (%s): %d %s", view.Tab, rec.Code, rec.Body.String())
		}
	}
}

func TestOrgsListSaysWhoseMoveItIs(t *testing.T) {
	for state, want := range map[model.State]string{
		model.StatePendingApproval:   "Salesforce system administrator of acme",
		model.StatePendingActivation: "activate",
		model.StateActive:            "",
	} {
		got := orgRow{workflows.ConnectionRef{OrgName: "acme", State: state}}.WaitingFor()
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q", state, got)
		}
	}
}
