package console

import (
	"fmt"
	"time"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/workflows"
)

// assertionTTL is how long a step assertion is good for: the time for one
// update to reach its workflow, retries included, and not much more.
const assertionTTL = 2 * time.Minute

// slackCaller is who acts on the Slack side, with the proof the worker
// verifies before its role check: an assertion signed by the console,
// bound to this member and workspace, this workflow and this step, used
// once.
func (s *Server) slackCaller(u *SlackUser, workflowID, step string) (workflows.Caller, error) {
	tok, err := s.opts.Signer.Assert(identity.Claims{
		Side: identity.SideSlack, Subject: u.User, Team: u.Team, Name: u.Name,
		Workflow: workflowID, Step: step,
	}, assertionTTL)
	if err != nil {
		return workflows.Caller{}, fmt.Errorf("sign the assertion of %s: %w", step, err)
	}
	return workflows.Caller{As: u.User, Proof: tok}, nil
}

// salesforceCaller is who acts on the Salesforce side, proven the same way.
func (s *Server) salesforceCaller(u SalesforceUser, workflowID, step string) (workflows.Caller, error) {
	tok, err := s.opts.Signer.Assert(identity.Claims{
		Side: identity.SideSalesforce, Subject: u.UserID, Org: u.OrgID, Name: u.Name,
		Workflow: workflowID, Step: step,
	}, assertionTTL)
	if err != nil {
		return workflows.Caller{}, fmt.Errorf("sign the assertion of %s: %w", step, err)
	}
	return workflows.Caller{As: u.UserID, Proof: tok}, nil
}
