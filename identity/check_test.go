package identity

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	slackStep := Claims{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "wf-1", Step: "activate"}
	slackWant := Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "wf-1", Step: "activate"}
	sfStep := Claims{Side: SideSalesforce, Subject: "005000000000001AAA", Org: "00D000000000001AAA", Workflow: "wf-1", Step: "approve"}
	sfWant := Expect{Side: SideSalesforce, Subject: "005000000000001", Org: "00D000000000001AAA", Workflow: "wf-1", Step: "approve"}
	login := Claims{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Login: true}
	for name, tc := range map[string]struct {
		c    Claims
		want Expect
		err  error
	}{
		"slack assertion fits":       {slackStep, slackWant, nil},
		"salesforce, 15-char id":     {sfStep, sfWant, nil},
		"login fits any step":        {login, Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "other", Step: "banner"}, nil},
		"subject compared by caller": {sfStep, Expect{Side: SideSalesforce, Org: "00D000000000001", Workflow: "wf-1", Step: "approve"}, nil},
		"wrong side":                 {slackStep, sfWant, ErrWrongSide},
		"someone else":               {slackStep, Expect{Side: SideSlack, Subject: "U0ADMIN01", Team: "T0DEMO0001", Workflow: "wf-1", Step: "activate"}, ErrOtherSubject},
		"other workspace":            {slackStep, Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0002", Workflow: "wf-1", Step: "activate"}, ErrOtherWorkspace},
		"other org":                  {sfStep, Expect{Side: SideSalesforce, Subject: "005000000000001AAA", Org: "00D000000000002AAA", Workflow: "wf-1", Step: "approve"}, ErrOtherOrg},
		"other workflow":             {slackStep, Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "wf-2", Step: "activate"}, ErrOtherWorkflow},
		"other step":                 {slackStep, Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "wf-1", Step: "disconnect"}, ErrOtherStep},
		"login, other workspace":     {login, Expect{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0002"}, ErrOtherWorkspace},
		"login, someone else":        {login, Expect{Side: SideSlack, Subject: "U0ADMIN01", Team: "T0DEMO0001"}, ErrOtherSubject},
	} {
		err := tc.c.Check(tc.want)
		if tc.err == nil && err != nil || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: got %v, want %v", name, err, tc.err)
		}
	}
}

func TestReason(t *testing.T) {
	err := (Claims{Side: SideSlack, Team: "T1"}).Check(Expect{Side: SideSlack, Team: "T2"})
	if Reason(err) != ErrOtherWorkspace.Error() {
		t.Fatalf("Reason = %q", Reason(err))
	}
	if Reason(errors.New("x")) != "unknown" {
		t.Fatal("Reason of a foreign error")
	}
}
