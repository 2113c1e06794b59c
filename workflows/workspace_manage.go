package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// UpdateMigrate moves a workspace into an Enterprise org: refused while it
// has any pending or active connection (the article's second rule). Payload
// MigrateRequest; result Workspace. Also a signal of the same name.
const UpdateMigrate = "migrate"

// MigrateRequest asks to move the workspace into an Enterprise org.
type MigrateRequest struct {
	Enterprise string `json:"enterprise"` // E…
	Caller            // a Slack member
}

// Migration records a workspace's move into an Enterprise org.
type Migration struct {
	Enterprise string    `json:"enterprise"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	// Unverified: By came without a proof of identity (sandbox mode only).
	Unverified bool `json:"unverified,omitempty"`
}

func (w *workspaceRun) validateMigrate(_ workflow.Context, req MigrateRequest) error {
	if err := w.proofs.requireCaller(req.Caller); err != nil {
		return err
	}
	if !model.IsEnterpriseID(req.Enterprise) {
		return invalidInput("--to-enterprise %q is not an Enterprise org id (E followed by capitals and digits)", req.Enterprise)
	}
	if n := len(w.ws.Connections) + len(w.reserved); n > 0 {
		return refusal(ErrInvalidState, "workspace %s has %d Salesforce connections pending or active: a workspace connected to Salesforce cannot be migrated to an Enterprise org; disconnect them first (`starter connect list --workspace %s`)",
			w.ws.Team, n, w.ws.Team)
	}
	if w.ws.Migration != nil {
		return refusal(ErrInvalidState, "workspace %s was already migrated to %s", w.ws.Team, w.ws.Migration.Enterprise)
	}
	return nil
}

// migrate moves the workspace; its connections from then on use org owner
// and org admin roles (read from Slack at each action).
func (w *workspaceRun) migrate(ctx workflow.Context, req MigrateRequest) (Workspace, error) {
	if err := w.validateMigrate(ctx, req); err != nil {
		return w.ws, err
	}
	// Hold every slot while the migration runs: no request may slip in.
	w.reserved["migration"] = req.As
	defer delete(w.reserved, "migration")
	_, who, err := authorizeSlack(ctx, w.proofs, w.ws.Team, UpdateMigrate, model.ActionMigrate, req.Caller)
	if err != nil {
		return w.ws, err
	}
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.MigrateWorkspace, activities.MigrateInput{Team: w.ws.Team, Enterprise: req.Enterprise}).Get(ctx, nil); err != nil {
		return w.ws, passOn(err)
	}
	w.ws.Migration = &Migration{Enterprise: req.Enterprise, By: req.As, At: workflow.Now(ctx), Unverified: !who.Verified}
	return w.ws, nil
}
