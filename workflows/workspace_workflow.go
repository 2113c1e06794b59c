package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/model"
)

// DefaultIdleTimeout is how long a workspace with no connection keeps its
// workflow before ending it.
const DefaultIdleTimeout = time.Hour

// WorkspaceWorkflow is the registry of one Slack workspace's connections. All
// Step 1 requests of a workspace go through it, so the limit of 20 orgs and
// the ban on connecting an org twice hold under concurrent requests. It ends
// itself after IdleTimeout without any connection; the next request starts
// it again. Its ID is WorkspaceWorkflowID.
func WorkspaceWorkflow(ctx workflow.Context, in WorkspaceInput) error {
	w := newWorkspaceRun(in)
	if err := w.setup(ctx); err != nil {
		return err
	}
	if in.Born != nil {
		if err := w.startConnection(ctx, *in.Born); err != nil {
			return err
		}
		c := *in.Born
		w.ws.Connections[c.OrgID] = ConnectionRef{OrgID: c.OrgID, OrgName: c.OrgName, OrgURL: c.OrgURL, State: c.State,
			WorkflowID: ConnectionWorkflowID(c.Workspace, c.OrgID), RequestedBy: c.RequestedBy, RequestedAt: c.RequestedAt, Seq: c.Events()}
	}
	return w.run(ctx)
}

// workspaceRun is the state of one run of WorkspaceWorkflow.
type workspaceRun struct {
	ws     Workspace
	timing Timing
	idle   time.Duration
	// reconcileEvery is the period of reconcileLoop.
	reconcileEvery time.Duration
	// fresh: this run carries no registry from a run before it.
	fresh bool
	// ended is, by org, the lifetime (RequestedAt) whose own report of its
	// end this run applied: a reconciliation that saw it live a moment
	// before does not register it again.
	ended map[string]time.Time
	// reserved holds a slot for each request in flight, by My Domain host,
	// from before its first await until its connection is registered.
	reserved map[string]string
	// requestsBusy counts requests that came as signals and are being handled.
	requestsBusy int
	requests     workflow.ReceiveChannel
	states       workflow.ReceiveChannel
	background   workflow.WaitGroup
	// proofs are the step assertions used, and those being verified.
	proofs *proofs
}

func newWorkspaceRun(in WorkspaceInput) *workspaceRun {
	w := &workspaceRun{
		ws:             Workspace{Team: in.Team, Connections: map[string]ConnectionRef{}},
		timing:         in.Timing.withDefaults(),
		idle:           in.IdleTimeout,
		reserved:       map[string]string{},
		proofs:         newProofs(in.UsedProofs),
		reconcileEvery: in.ReconcileEvery,
		fresh:          in.State == nil,
		ended:          map[string]time.Time{},
	}
	if w.idle <= 0 {
		w.idle = DefaultIdleTimeout
	}
	if w.reconcileEvery <= 0 {
		w.reconcileEvery = DefaultReconcileEvery
	}
	if in.State != nil {
		w.ws = *in.State
		if w.ws.Connections == nil {
			w.ws.Connections = map[string]ConnectionRef{}
		}
	}
	return w
}

func (w *workspaceRun) setup(ctx workflow.Context) error {
	w.background = workflow.NewWaitGroup(ctx)
	// The channels first: an update buffered before this run started is
	// handled as soon as its handler is registered, and reads them.
	w.requests = workflow.GetSignalChannel(ctx, UpdateRequest)
	w.states = workflow.GetSignalChannel(ctx, SignalConnectionState)
	if err := workflow.UpsertTypedSearchAttributes(ctx, WorkspaceKey.ValueSet(w.ws.Team)); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryConnections, func() (Workspace, error) { return w.ws, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRequest, w.request,
		workflow.UpdateHandlerOptions{Validator: w.validateRequest}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateConnectionEnded, func(ctx workflow.Context, sig ConnectionStateSignal) error {
		w.drainStates()
		w.applyState(sig)
		w.describe(ctx)
		return nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMigrate, w.migrate,
		workflow.UpdateHandlerOptions{Validator: w.validateMigrate}); err != nil {
		return err
	}
	workflow.Go(ctx, w.receiveRequests)
	workflow.Go(ctx, w.receiveStates)
	workflow.Go(ctx, w.reconcileLoop)
	return nil
}

func (w *workspaceRun) run(ctx workflow.Context) error {
	for {
		w.describe(ctx)
		empty := func() bool { return len(w.ws.Connections) == 0 && w.quiet() }
		canContinue := func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() && w.quiet() }
		if empty() {
			woke, err := workflow.AwaitWithTimeout(ctx, w.idle, func() bool { return !empty() || canContinue() })
			if err != nil {
				return err
			}
			if !woke {
				if err := w.settle(ctx); err != nil {
					return err
				}
				// A request admitted while the last notices settled has
				// registered its connection: the registry goes on.
				if !empty() && workflow.GetVersion(ctx, versionIdleRecheck, workflow.DefaultVersion, 1) == 1 {
					continue
				}
				return nil
			}
		} else if err := workflow.Await(ctx, func() bool { return empty() || canContinue() }); err != nil {
			return err
		}
		if canContinue() {
			if err := w.settle(ctx); err != nil {
				return err
			}
			state := w.ws
			return workflow.NewContinueAsNewError(ctx, WorkspaceWorkflowName, WorkspaceInput{
				Team: w.ws.Team, Timing: w.timing, IdleTimeout: w.idle, ReconcileEvery: w.reconcileEvery, State: &state,
				UsedProofs: w.proofs.live(workflow.Now(ctx)),
			})
		}
	}
}

// quiet reports whether no request is in flight and no message waits.
func (w *workspaceRun) quiet() bool {
	return len(w.reserved) == 0 && w.requestsBusy == 0 && w.requests.Len() == 0 && w.states.Len() == 0
}

func (w *workspaceRun) settle(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && w.quiet() }); err != nil {
		return err
	}
	w.background.Wait(ctx)
	return nil
}

// receiveStates keeps the registry in step with the connections' reports.
func (w *workspaceRun) receiveStates(ctx workflow.Context) {
	for {
		var sig ConnectionStateSignal
		w.states.Receive(ctx, &sig)
		w.applyState(sig)
	}
}

// drainStates applies the reports already delivered but not yet received,
// so that a request handled in the same workflow task as a disconnect's
// report sees the slot freed.
func (w *workspaceRun) drainStates() {
	var sig ConnectionStateSignal
	for w.states.ReceiveAsync(&sig) {
		w.applyState(sig)
	}
}

func (w *workspaceRun) applyState(sig ConnectionStateSignal) {
	ref, ok := w.ws.Connections[sig.OrgID]
	if !ok || sig.Seq < ref.Seq {
		return
	}
	if sig.State.Terminal() {
		w.ended[sig.OrgID] = ref.RequestedAt
		delete(w.ws.Connections, sig.OrgID)
		return
	}
	ref.State, ref.Seq, ref.OrgName, ref.OrgURL = sig.State, sig.Seq, sig.OrgName, sig.OrgURL
	w.ws.Connections[sig.OrgID] = ref
}

// receiveRequests takes Step 1 from tools that can only signal; a refused
// request is kept in Workspace.Attempts.
func (w *workspaceRun) receiveRequests(ctx workflow.Context) {
	for {
		req, err := receiveSignal[ConnectionRequest](ctx, w.requests)
		w.requestsBusy++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { w.requestsBusy-- }()
			if err == nil {
				_, err = w.request(ctx, req)
			}
			if err != nil {
				w.ws.Attempts = keepNewest(w.ws.Attempts, &w.ws.AttemptsDropped, MaxAttempts, Attempt{
					At: workflow.Now(ctx), Action: model.ActionRequest, By: req.As, Via: "signal", Reason: reason(err),
				})
			}
		})
	}
}

func (w *workspaceRun) describe(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, workspaceDetails(w.ws))
}
