package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// The role checks of human steps. Each passes the caller's proof with the
// calling workflow's id and the step's name (an Update* constant, the name
// the update and its signal share), so that the activity verifies the
// proof, bound to both, before it reads the directory; p records the
// assertions used.

func authorizeSlack(ctx workflow.Context, p *proofs, team, step string, action model.Action, c Caller) (model.SlackRoles, activities.Identity, error) {
	var res activities.SlackAuthorization
	who, err := p.take(ctx, c, func() (activities.Identity, error) {
		err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.AuthorizeSlack, activities.AuthorizeSlackInput{
			Team: team, User: c.As, Action: action,
			Proof: c.Proof, Workflow: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: step,
		}).Get(ctx, &res)
		return res.Identity, passOn(err)
	})
	return res.SlackRoles, who, err
}

func authorizeSalesforce(ctx workflow.Context, p *proofs, orgURL, orgID, step string, action model.Action, c Caller) (model.SalesforceRoles, activities.Identity, error) {
	var res activities.SalesforceAuthorization
	who, err := p.take(ctx, c, func() (activities.Identity, error) {
		err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.AuthorizeSalesforce, activities.AuthorizeSalesforceInput{
			OrgURL: orgURL, OrgID: orgID, User: c.As, Action: action,
			Proof: c.Proof, Workflow: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: step,
		}).Get(ctx, &res)
		return res.Identity, passOn(err)
	})
	return res.SalesforceRoles, who, err
}

func (w *connectionRun) authorizeSlack(ctx workflow.Context, step string, action model.Action, c Caller) (model.SlackRoles, activities.Identity, error) {
	return authorizeSlack(ctx, w.proofs, w.c.Workspace, step, action, c)
}

func (w *connectionRun) authorizeSalesforce(ctx workflow.Context, step string, action model.Action, c Caller) (model.SalesforceRoles, activities.Identity, error) {
	return authorizeSalesforce(ctx, w.proofs, w.c.OrgURL, w.c.OrgID, step, action, c)
}

// requireCaller is every validator's check of the caller: someone is
// named, and a proof, if any, is a token not already used.
func (p *proofs) requireCaller(c Caller) error {
	if c.As == "" {
		return invalidInput("who is acting is missing: pass --as (the \"as\" field of the payload)")
	}
	return p.check(c)
}

// event is one entry of a connection's history: who did it, and whether
// their identity was proven (unverified only in sandbox mode).
func event(ctx workflow.Context, action model.Action, by string, who activities.Identity, detail string) Event {
	e := Event{At: workflow.Now(ctx), Action: action, By: by, Detail: detail}
	if by != "" {
		e.Unverified, e.ProofKind = !who.Verified, who.Kind
	}
	return e
}
