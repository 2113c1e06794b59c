package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// ConnectionWorkflow runs one connection between a Slack workspace and a
// Salesforce org from its request to its end: it waits for Step 2 and Step 3
// (each expiring after Timing.RequestTTL, with reminders meanwhile), then
// stays active until it is disconnected. Its ID is ConnectionWorkflowID.
func ConnectionWorkflow(ctx workflow.Context, in ConnectionInput) (Connection, error) {
	w := &connectionRun{c: in.Connection, timing: in.Timing.withDefaults(), proofs: newProofs(in.UsedProofs)}
	if err := w.setup(ctx); err != nil {
		return w.c, err
	}
	return w.run(ctx)
}

// connectionRun is the state of one run of ConnectionWorkflow.
type connectionRun struct {
	c      Connection
	timing Timing
	// mu serialises the human steps: each one checks the state, awaits a
	// role check, then changes the state, and no other step or the expiry
	// may slip in between.
	mu workflow.Mutex
	// background counts notices and workspace signals still in flight; the
	// run ends or continues as new only once they are done.
	background workflow.WaitGroup
	// signalsBusy counts signals being handled; signals is every step's channel.
	signalsBusy int
	signals     []workflow.ReceiveChannel
	// invitesChanged counts changes to Invitations, to wake the loop that
	// waits for the earliest expiry.
	invitesChanged int
	// cancelAutoMap stops the automatic mapping running, if any.
	cancelAutoMap workflow.CancelFunc
	// proofs are the step assertions used, and those being verified.
	proofs *proofs
}

func (w *connectionRun) setup(ctx workflow.Context) error {
	w.mu = workflow.NewMutex(ctx)
	w.background = workflow.NewWaitGroup(ctx)
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Connection, error) {
		c := w.c.public()
		c.UpdateAvailable = c.updateAvailable()
		return c, nil
	}); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateApprove, model.ActionApprove, w.validateApprove, w.approve, func(r ApproveRequest) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateReject, model.ActionReject, w.validateReject, w.reject, func(r RejectRequest) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateActivate, model.ActionActivate, w.validateActivate, w.activate, func(r ActivateRequest) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateDisconnect, model.ActionDisconnect, w.validateDisconnect, w.disconnect, func(r DisconnectRequest) string { return r.As }); err != nil {
		return err
	}
	if err := w.setupMembers(ctx); err != nil {
		return err
	}
	return w.setupManage(ctx)
}

func (w *connectionRun) run(ctx workflow.Context) (Connection, error) {
	for !w.c.State.Terminal() {
		w.describe(ctx)
		switch w.c.State {
		case model.StatePendingApproval, model.StatePendingActivation:
			if err := w.awaitStep(ctx); err != nil {
				return w.c, err
			}
		default:
			if err := w.awaitActive(ctx); err != nil {
				return w.c, err
			}
		}
	}
	return w.finish(ctx)
}

// awaitActive waits, while the connection is active, for a change of state,
// for the earliest invitation to run out, or for the history to grow enough
// to continue as new.
func (w *connectionRun) awaitActive(ctx workflow.Context) error {
	state := w.c.State
	for w.c.State == state {
		changed := w.invitesChanged
		wake := func() bool {
			return w.c.State != state || w.invitesChanged != changed ||
				(workflow.GetInfo(ctx).GetContinueAsNewSuggested() && w.idle())
		}
		next := w.nextInviteExpiry()
		// A failing expiry waits for its next try (no failure, no change).
		if retry := w.retryAt(BackgroundInvitationExpiry); !next.IsZero() && retry.After(next) {
			next = retry
		}
		// Connections started before health checks existed keep waiting as
		// they did, so that their histories replay.
		health := time.Time{}
		if workflow.GetVersion(ctx, versionHealthCheck, workflow.DefaultVersion, 1) == 1 {
			if w.c.LastHealthAt.IsZero() {
				w.c.LastHealthAt = workflow.Now(ctx)
			}
			health = w.c.LastHealthAt.Add(w.timing.HealthEvery)
			if next.IsZero() || health.Before(next) {
				next = health
			}
		}
		if next.IsZero() {
			if err := workflow.Await(ctx, wake); err != nil {
				return err
			}
		} else if woke, err := workflow.AwaitWithTimeout(ctx, next.Sub(workflow.Now(ctx)), wake); err != nil {
			return err
		} else if !woke {
			if !health.IsZero() && !workflow.Now(ctx).Before(health) {
				w.c.LastHealthAt = workflow.Now(ctx)
				if err := w.checkHealth(ctx); err != nil {
					return err
				}
			}
			if err := w.expireInvitations(ctx); err != nil {
				return err
			}
		}
		if w.c.State == state && workflow.GetInfo(ctx).GetContinueAsNewSuggested() && w.idle() {
			return w.continueAsNew(ctx)
		}
	}
	return nil
}

// idle reports whether nothing is in flight, so that the run may end or
// continue as new without losing a message.
func (w *connectionRun) idle() bool {
	for _, ch := range w.signals {
		if ch.Len() > 0 {
			return false
		}
	}
	return w.signalsBusy == 0
}

func (w *connectionRun) settle(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && w.idle() }); err != nil {
		return err
	}
	w.background.Wait(ctx)
	return nil
}

func (w *connectionRun) continueAsNew(ctx workflow.Context) error {
	if err := w.settle(ctx); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, ConnectionWorkflowName, ConnectionInput{
		Connection: w.c, Timing: w.timing, UsedProofs: w.proofs.live(workflow.Now(ctx)),
	})
}

// finish ends a connection that reached a terminal state: it lets the
// handlers in flight finish, tells the workspace that the slot is free, and
// returns the final record.
func (w *connectionRun) finish(ctx workflow.Context) (Connection, error) {
	w.describe(ctx)
	if err := w.settle(ctx); err != nil {
		return w.c.public(), err
	}
	return w.c.public(), nil
}

// setState moves the connection to a new state: visibility, the Web UI's
// details and the workspace's registry follow.
func (w *connectionRun) setState(ctx workflow.Context, s model.State) {
	w.c.State = s
	if err := upsertState(ctx, s); err != nil {
		workflow.GetLogger(ctx).Error("upsert state", "error", err)
	}
	w.describe(ctx)
	w.tellWorkspace(ctx)
}

// record appends to the connection's history what happened by itself
// (the clock, a report), with no one to prove.
func (w *connectionRun) record(ctx workflow.Context, action model.Action, detail string) {
	w.c.addEvent(Event{At: workflow.Now(ctx), Action: action, Detail: detail})
}

// recordBy appends to the connection's history what a person did, and how
// their identity was proven.
func (w *connectionRun) recordBy(ctx workflow.Context, action model.Action, by string, who activities.Identity, detail string) {
	w.c.addEvent(event(ctx, action, by, who, detail))
}

// startWaiting arms the expiry of a pending step.
func (w *connectionRun) startWaiting(ctx workflow.Context) {
	now := workflow.Now(ctx)
	w.c.ExpiresAt = now.Add(w.timing.RequestTTL)
	w.c.WaitingSince = now
	w.c.LastReminderAt = time.Time{}
}

// tellWorkspace sends the new state to the workspace registry, which frees
// the org's slot when the connection has ended. An ending is applied by the
// registry before the step that caused it returns, so that the caller's
// next request (say, to connect the org again) meets a registry that
// already knows.
func (w *connectionRun) tellWorkspace(ctx workflow.Context) {
	sig := ConnectionStateSignal{OrgID: w.c.OrgID, OrgName: w.c.OrgName, OrgURL: w.c.OrgURL, State: w.c.State, Seq: w.c.Events()}
	send := func(ctx workflow.Context) {
		err := workflow.SignalExternalWorkflow(ctx, WorkspaceWorkflowID(w.c.Workspace), "", SignalConnectionState, sig).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("workspace not told of the new state", "state", sig.State, "error", err)
		}
	}
	if sig.State.Terminal() {
		// The registry applies the end before this returns (an update,
		// not a signal that its next task would apply): the org may be
		// requested again at once. Connections before it signalled.
		if workflow.GetVersion(ctx, versionPlaceFreedByUpdate, workflow.DefaultVersion, 1) == 1 {
			err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.FreePlace, activities.FreePlaceInput{
				WorkflowID: WorkspaceWorkflowID(w.c.Workspace), Update: UpdateConnectionEnded, Report: sig,
			}).Get(ctx, nil)
			if err == nil {
				return
			}
			workflow.GetLogger(ctx).Warn("the registry did not take the end by update; signalled", "error", err)
		}
		send(ctx)
		return
	}
	w.background.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer w.background.Done()
		send(ctx)
	})
}

// public is the connection as its callers see it (the status query, the
// steps' results, the workflow's own): the sign-ins' PKCE verifiers stay
// in the workflow's state alone.
func (c Connection) public() Connection {
	if len(c.Invitations) == 0 {
		return c
	}
	invs := make(map[string]Invitation, len(c.Invitations))
	for _, m := range workflow.DeterministicKeys(c.Invitations) {
		inv := c.Invitations[m]
		inv.Verifier = ""
		invs[m] = inv
	}
	c.Invitations = invs
	return c
}
