package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// A connection's step sent as a signal whose payload cannot be read
// ({"as": 5}) is a refused attempt with the reason, as a refused step is,
// and the steps after it go on.
func TestUndecodableConnectionSignalIsAnAttempt(t *testing.T) {
	f := newFixture(t)
	f.signal(time.Minute, workflows.UpdateApprove, map[string]any{"matching_field": "Email", "accept_terms": true, "as": 5})
	f.signal(2*time.Minute, workflows.UpdateApprove, approve(sfAdmin))
	f.disconnectAt(time.Hour)
	c := f.runConnection(pendingConnection())
	if c.State != model.StateDisconnected || c.MatchingField != "Email" {
		t.Fatalf("the steps after the unreadable one: %s, %q", c.State, c.MatchingField)
	}
	if len(c.Attempts) != 1 || c.Attempts[0].Action != model.ActionApprove || c.Attempts[0].Via != "signal" ||
		!strings.Contains(c.Attempts[0].Reason, "payload could not be read") {
		t.Fatalf("attempts: %+v", c.Attempts)
	}
}

// The same for the workspace's request.
func TestUndecodableRequestSignalIsAnAttempt(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.signal(time.Minute, workflows.UpdateRequest, map[string]any{"org_url": 5, "as": slackOwner})
	f.signal(2*time.Minute, workflows.UpdateRequest, request("https://org02.my.salesforce.com", slackOwner))
	ws := f.registry(time.Hour)
	f.run(time.Hour)
	if len(ws.Attempts) != 1 || ws.Attempts[0].Via != "signal" || !strings.Contains(ws.Attempts[0].Reason, "payload could not be read") {
		t.Errorf("attempts: %+v", ws.Attempts)
	}
	if len(ws.Connections) != 1 {
		t.Errorf("the readable signal did not connect: %+v", ws.Connections)
	}
}
