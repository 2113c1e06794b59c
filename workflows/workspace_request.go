package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/orgurl"
)

// validateRequest checks Step 1 against the payload and the registry only:
// a refusal here reaches the caller at once and writes nothing to history.
func (w *workspaceRun) validateRequest(_ workflow.Context, req ConnectionRequest) error {
	if err := w.proofs.requireCaller(req.Caller); err != nil {
		return err
	}
	md, err := parseOrgURL(req.OrgURL)
	if err != nil {
		return err
	}
	if _, err := model.ParseMappingField(req.MappingField); err != nil {
		return invalidInput("%v", err)
	}
	// A connection's report may wait in the channel (a disconnect that just
	// returned): the handler applies it first, so leave the slot to it.
	if err := w.checkSlot(md); err != nil && w.states.Len() == 0 {
		return err
	}
	return nil
}

func parseOrgURL(raw string) (orgurl.MyDomain, error) {
	md, err := orgurl.Parse(raw)
	if errors.Is(err, orgurl.ErrGovernmentCloud) {
		return md, refusal(activities.ErrGovernmentCloud, "%v", err)
	}
	if err != nil {
		return md, invalidInput("%v", err)
	}
	return md, nil
}

// checkSlot refuses an org that is already connected (or being requested)
// and a 21st org.
func (w *workspaceRun) checkSlot(md orgurl.MyDomain) error {
	for _, id := range workflow.DeterministicKeys(w.ws.Connections) {
		ref := w.ws.Connections[id]
		if strings.EqualFold(ref.OrgURL, md.URL()) {
			return refusal(ErrDuplicate, "%s is already connected to workspace %s (connection %s is %s): disconnect it first to request it again",
				md.URL(), w.ws.Team, ref.OrgID, ref.State)
		}
	}
	if by, ok := w.reserved[md.Host]; ok {
		return refusal(ErrDuplicate, "a request to connect %s to workspace %s is already in progress (by %s)", md.URL(), w.ws.Team, by)
	}
	if n := len(w.ws.Connections) + len(w.reserved); n >= MaxOrgsPerWorkspace {
		return refusal(ErrLimitReached, "workspace %s already has %d Salesforce orgs connected or pending, the most Slack allows: disconnect one before requesting %s",
			w.ws.Team, MaxOrgsPerWorkspace, md.URL())
	}
	return nil
}

// request is Step 1. It holds a slot from before its first await, so that
// concurrent requests cannot together pass the limit; checks the requester's
// role and asks the org who it is; then starts the connection's workflow.
func (w *workspaceRun) request(ctx workflow.Context, req ConnectionRequest) (Connection, error) {
	w.drainStates()
	if err := w.validateRequest(ctx, req); err != nil {
		return Connection{}, err
	}
	md, _ := orgurl.Parse(req.OrgURL)
	if err := w.checkSlot(md); err != nil {
		return Connection{}, err
	}
	w.reserved[md.Host] = req.As
	defer delete(w.reserved, md.Host)

	_, who, err := authorizeSlack(ctx, w.proofs, w.ws.Team, UpdateRequest, model.ActionRequest, req.Caller)
	if err != nil {
		return Connection{}, err
	}
	var org activities.OrgInfo
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ResolveOrg, activities.ResolveOrgInput{URL: md.URL()}).Get(ctx, &org); err != nil {
		return Connection{}, passOn(err)
	}
	if ref, ok := w.ws.Connections[org.ID]; ok {
		return Connection{}, refusal(ErrDuplicate, "org %s is already connected to workspace %s as %s (%s)", org.ID, w.ws.Team, ref.OrgURL, ref.State)
	}
	c := w.newConnection(ctx, req, org, who)
	if err := w.startConnection(ctx, c); err != nil {
		return Connection{}, err
	}
	w.ws.Connections[org.ID] = ConnectionRef{
		OrgID: c.OrgID, OrgName: c.OrgName, OrgURL: c.OrgURL, State: c.State,
		WorkflowID: ConnectionWorkflowID(c.Workspace, c.OrgID), RequestedBy: c.RequestedBy, RequestedAt: c.RequestedAt, Seq: c.Events(),
	}
	w.describe(ctx)
	postNoticeInput(ctx, w.background, activities.NotifyInput{
		Team: w.ws.Team, Channel: req.As, Link: OrgPagePrefix + c.OrgID,
		Key: noticeKey(ConnectionWorkflowID(c.Workspace, c.OrgID), c.RequestedAt, NoticeRequested, req.As, 0),
		Text: fmt.Sprintf("Your request to connect Salesforce org %s (%s) was sent. A Salesforce system administrator of that org must now approve it (Step 2), by %s.",
			c.OrgName, c.OrgURL, c.ExpiresAt.UTC().Format("Mon 2 Jan 2006 15:04 MST")),
	})
	return c, nil
}

func (w *workspaceRun) newConnection(ctx workflow.Context, req ConnectionRequest, org activities.OrgInfo, who activities.Identity) Connection {
	now := workflow.Now(ctx)
	field, _ := model.ParseMappingField(req.MappingField)
	autoMap := req.AutoMap == nil || *req.AutoMap
	detail := fmt.Sprintf("mapping field %s, automatic mapping %s", field, onOff(autoMap))
	c := Connection{
		// The connection's identity in the store: this lifetime of it.
		ID:        fmt.Sprintf("%s-%s-%d", w.ws.Team, org.ID, now.UnixMilli()),
		Workspace: w.ws.Team, OrgID: org.ID, OrgName: org.Name, OrgURL: org.URL, SandboxOrg: org.Sandbox,
		MappingField: field, AutoMap: autoMap, State: model.StatePendingApproval,
		Version: CurrentConnectionVersion, Warnings: org.Warnings,
		RequestedBy: req.As, RequestedAt: now, ExpiresAt: now.Add(w.timing.RequestTTL), WaitingSince: now,
		History: []Event{event(ctx, model.ActionRequest, req.As, who, detail)},
	}
	c.WaitingFor = waitingFor(c)
	return c
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// startConnection starts the connection's workflow as an abandoned child:
// it outlives this registry's runs and reports back by signal. The org's
// previous connection may have ended (its place is free) while its
// workflow still posts its last notices: the request waits for it to
// close, rather than being refused a moment after a disconnect returned.
func (w *workspaceRun) startConnection(ctx workflow.Context, c Connection) error {
	err := w.startChild(ctx, c)
	if !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return err
	}
	// Registries before this refused at once.
	if workflow.GetVersion(ctx, versionAwaitEndedConnection, workflow.DefaultVersion, 1) == 1 {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 2 * time.Minute,
			HeartbeatTimeout:    30 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2, NonRetryableErrorTypes: activities.NonRetryable},
		})
		var end activities.AwaitEndResult
		id := ConnectionWorkflowID(c.Workspace, c.OrgID)
		if aerr := workflow.ExecuteActivity(actx, acts.AwaitConnectionEnd, activities.AwaitEndInput{WorkflowID: id, Within: time.Minute}).Get(ctx, &end); aerr != nil {
			workflow.GetLogger(ctx).Warn("could not wait for the org's previous connection to end", "error", aerr)
		}
		switch {
		case end.Closed:
			err = w.startChild(ctx, c)
		case end.Live:
			return refusal(ErrDuplicate, "a connection of workspace %s to org %s is running (%s): disconnect it first to request it again", c.Workspace, c.OrgID, end.State)
		default:
			return refusal(ErrDuplicate, "the previous connection of workspace %s to org %s has ended but is still posting its last notices: request it again in a few minutes", c.Workspace, c.OrgID)
		}
	}
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return refusal(ErrDuplicate, "a connection of workspace %s to org %s is already running", c.Workspace, c.OrgID)
	}
	return err
}

// startChild starts the connection's workflow; err is the SDK's.
func (w *workspaceRun) startChild(ctx workflow.Context, c Connection) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            ConnectionWorkflowID(c.Workspace, c.OrgID),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: connectionSearchAttributes(c),
		StaticSummary:         fmt.Sprintf("Slack %s ↔ Salesforce %s (%s)", c.Workspace, c.OrgName, c.OrgID),
	})
	fut := workflow.ExecuteChildWorkflow(cctx, ConnectionWorkflowName, ConnectionInput{Connection: c, Timing: w.timing})
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return err
		}
		return fmt.Errorf("start connection workflow: %w", err)
	}
	return nil
}

// workspaceDetails is the Web UI's summary of a workspace.
func workspaceDetails(ws Workspace) string {
	if len(ws.Connections) == 0 {
		return fmt.Sprintf("**%s** — no Salesforce org connected. Waiting for a request (Step 1).", ws.Team)
	}
	lines := make([]string, 0, len(ws.Connections))
	for _, id := range workflow.DeterministicKeys(ws.Connections) {
		ref := ws.Connections[id]
		lines = append(lines, fmt.Sprintf("- %s (%s): %s", ref.OrgName, ref.OrgID, ref.State))
	}
	return fmt.Sprintf("**%s** — %d of %d Salesforce orgs:\n\n%s", ws.Team, len(ws.Connections), MaxOrgsPerWorkspace, strings.Join(lines, "\n"))
}

// postNotice posts a Slack notice in the background, counted in wg so the
// run waits for it before ending; a notice that cannot be delivered is logged.
func postNotice(ctx workflow.Context, wg workflow.WaitGroup, team, channel, text string) {
	postNoticeInput(ctx, wg, activities.NotifyInput{Team: team, Channel: channel, Text: text})
}

// postNoticeInput is postNotice of a notice with a key, a link or buttons.
func postNoticeInput(ctx workflow.Context, wg workflow.WaitGroup, in activities.NotifyInput) {
	if in.Channel == "" {
		return
	}
	wg.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		err := workflow.ExecuteActivity(withNotices(ctx), acts.Notify, in).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("notice not delivered", "channel", in.Channel, "error", err)
		}
	})
}
