package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

const acmeOrgID = "00D000000000001AAA"

// noticesWith returns the notices to channel whose text contains s.
func (f *fixture) noticesWith(channel, s string) []activities.NotifyInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []activities.NotifyInput
	for _, n := range f.notices {
		if n.Channel == channel && strings.Contains(n.Text, s) {
			out = append(out, n)
		}
	}
	return out
}

// Step 2 is asked of the admin found in Slack at once, with the approval
// page's link; the admin Slack does not know is listed; Step 3 is asked of
// the owners and role holders with an Activate button; every notice has a
// key of its own.
func TestStepNoticesReachWhoMustAct(t *testing.T) {
	f := newFixture(t)
	f.update(time.Hour, workflows.UpdateApprove, approve(sfAdmin))
	in := pendingConnection()
	in.Timing = workflows.Timing{RequestTTL: 48 * time.Hour, ReminderEvery: 24 * time.Hour}
	in.Connection.ExpiresAt = requestedAt.Add(48 * time.Hour)
	c := f.runConnection(in)

	asked := f.noticesWith(approverInSlack, "asks to connect")
	if len(asked) != 1 || asked[0].Link != workflows.ApprovalPagePrefix+acmeOrgID || asked[0].Key == "" || strings.HasPrefix(asked[0].Text, "Reminder") {
		t.Fatalf("Step 2's notice to the admin in Slack: %+v", asked)
	}
	if len(c.NotReachable) != 1 || c.NotReachable[0] != approverNotInSlack {
		t.Errorf("not reachable in Slack: %v", c.NotReachable)
	}
	for _, m := range []string{slackOwner, slackRole} {
		got := f.noticesWith(m, "approved its connection")
		// At approval, then a reminder a day until the expiry 48h later.
		if len(got) != 2 || strings.HasPrefix(got[0].Text, "Reminder") || !strings.HasPrefix(got[1].Text, "Reminder") {
			t.Fatalf("Step 3's notices to %s: %+v", m, got)
		}
		b := got[0].Buttons
		if len(b) != 1 || b[0].ActionID != workflows.ButtonActivate || b[0].Value != workflows.ButtonValue("T0DEMO0001", acmeOrgID) || got[0].Link != workflows.OrgPagePrefix+acmeOrgID {
			t.Errorf("Step 3's notice to %s: %+v", m, got[0])
		}
	}
	if c.State != model.StateExpired || len(f.noticesWith(slackOwner, "expired")) != 1 {
		t.Errorf("state %s; expiry notices %d", c.State, len(f.noticesWith(slackOwner, "expired")))
	}
	keys := map[string]bool{}
	for _, n := range f.notices {
		if n.Key == "" || keys[n.Key] {
			t.Errorf("notice without a key of its own: %+v", n)
		}
		keys[n.Key] = true
	}
}

func TestButtonValueRoundTrip(t *testing.T) {
	team, org, ok := workflows.ParseButtonValue(workflows.ButtonValue("T1", "00D1"))
	if !ok || team != "T1" || org != "00D1" {
		t.Fatalf("%q %q %v", team, org, ok)
	}
	for _, bad := range []string{"", "T1", "/00D1", "T1/"} {
		if _, _, ok := workflows.ParseButtonValue(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
