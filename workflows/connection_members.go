package workflows

import (
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// setupMembers registers the member mapping messages (SPEC section 4).
func (w *connectionRun) setupMembers(ctx workflow.Context) error {
	if err := setStep(ctx, w, UpdateAutoMap, model.ActionMap, w.validateAutoMap, w.startAutoMapStep, func(r AutoMapRequest) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateAddMember, model.ActionMap, w.validateAddMember, w.addMember, func(r AddMemberRequest) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateClearMember, model.ActionClear, w.validateClear, w.clearMember, func(r ClearMemberRequest) string { return r.As }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateStartSignIn, w.startSignIn, w.validateStartSignIn},
		{UpdateCompleteSignIn, w.completeSignIn, w.validateCompleteSignIn},
		{UpdateSearch, w.search, w.validateSearch},
		{UpdateExport, w.export, w.validateExport},
		{UpdateImport, w.grantImport, w.validateImport},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	w.setupJobs(ctx)
	return nil
}

// mappable are the states in which members may be mapped: from activation on.
var mappable = []model.State{model.StateActive, model.StateNeedsUpdate}

func (w *connectionRun) validateAutoMap(_ workflow.Context, req AutoMapRequest) error {
	if err := w.requireState(model.ActionMap, mappable...); err != nil {
		return err
	}
	if w.c.AutoMapRun != nil && w.c.AutoMapRun.Running {
		return refusal(ErrInvalidState, "automatic mapping of %s is already running (%s): follow it with `starter members automap` or the Web UI", w.c.OrgName, w.c.AutoMapRun.WorkflowID)
	}
	return w.proofs.requireCaller(req.Caller)
}

func (w *connectionRun) startAutoMapStep(ctx workflow.Context, req AutoMapRequest) (AutoMapStarted, error) {
	var started AutoMapStarted
	_, err := w.step(ctx, func() error { return w.validateAutoMap(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateAutoMap, model.ActionMap, req.Caller)
		if err != nil {
			return err
		}
		started, err = w.startAutoMap(ctx, req.As, who)
		return err
	})
	return started, err
}

// startAutoMap starts the connection's automatic mapping as a child
// workflow and follows it in the background: its report lands in the
// connection's history. A disconnect cancels it. by (identified as who)
// asked for it, or activated the connection.
func (w *connectionRun) startAutoMap(ctx workflow.Context, by string, who activities.Identity) (AutoMapStarted, error) {
	id := AutoMapWorkflowID(w.c.Workspace, w.c.OrgID)
	cctx, cancel := workflow.WithCancel(ctx)
	cctx = workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: connectionSearchAttributes(Connection{Workspace: w.c.Workspace, OrgID: w.c.OrgID, OrgName: w.c.OrgName, State: "running"}),
		StaticSummary:         fmt.Sprintf("Automatic mapping of Slack %s ↔ Salesforce %s", w.c.Workspace, w.c.OrgName),
	})
	fut := workflow.ExecuteChildWorkflow(cctx, AutoMapWorkflowName, AutoMapInput{
		Connection: w.c.ref(), MappingField: w.c.MappingField, MatchingField: w.c.MatchingField,
		StartedBy: by, BatchSize: w.timing.AutoMapBatch,
	})
	var exec workflow.Execution
	if err := fut.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		cancel()
		return AutoMapStarted{}, fmt.Errorf("start automatic mapping: %w", err)
	}
	w.c.AutoMapRun = &AutoMapProgress{Running: true, StartedAt: workflow.Now(ctx), StartedBy: by, WorkflowID: id}
	w.cancelAutoMap = cancel
	w.recordBy(ctx, model.ActionMap, by, who, "automatic mapping started")
	w.background.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer w.background.Done()
		var report AutoMapProgress
		err := fut.Get(ctx, &report)
		w.cancelAutoMap = nil
		if err != nil {
			report = *w.c.AutoMapRun
			report.Running, report.Error, report.FinishedAt = false, reason(err), workflow.Now(ctx)
			w.record(ctx, model.ActionMap, "automatic mapping ended: "+report.Error)
		} else {
			w.record(ctx, model.ActionMap, "automatic mapping done: "+report.Summary())
		}
		w.c.AutoMapRun = &report
		w.notify(ctx, by, fmt.Sprintf("Automatic mapping of Salesforce org %s: %s.", w.c.OrgName, report.Summary()))
	})
	return AutoMapStarted{WorkflowID: id, RunID: exec.RunID}, nil
}

// syncDirectory copies the workspace's Slack directory into the store in
// the background, for `members search`.
func (w *connectionRun) syncDirectory(ctx workflow.Context) {
	w.background.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer w.background.Done()
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Minute, HeartbeatTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 10, NonRetryableErrorTypes: activities.NonRetryable},
		})
		var n int
		if err := workflow.ExecuteActivity(actx, acts.SyncMembers, activities.SyncMembersInput{Workspace: w.c.Workspace}).Get(ctx, &n); err != nil {
			workflow.GetLogger(ctx).Warn("member directory not copied", "error", err)
		}
	})
}

func (w *connectionRun) validateAddMember(_ workflow.Context, req AddMemberRequest) error {
	if err := w.requireState(model.ActionMap, mappable...); err != nil {
		return err
	}
	if !model.IsSlackUserID(req.Member) {
		return invalidInput("--member %q is not a Slack member id (U… or W…)", req.Member)
	}
	return w.proofs.requireCaller(req.Caller)
}

// addMember is the article's "add individually": the member is invited and
// asked to sign in to Salesforce; the mapping is linked only then.
func (w *connectionRun) addMember(ctx workflow.Context, req AddMemberRequest) (activities.MemberMapping, error) {
	var m activities.MemberMapping
	_, err := w.step(ctx, func() error { return w.validateAddMember(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateAddMember, model.ActionMap, req.Caller)
		if err != nil {
			return err
		}
		expires := workflow.Now(ctx).Add(w.timing.InviteTTL)
		err = workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.InviteMember, activities.InviteInput{
			ConnectionRef: w.c.ref(), Member: req.Member, SalesforceUser: req.SalesforceUser, ExpiresAt: expires, By: req.As,
		}).Get(ctx, &m)
		if err != nil {
			return passOn(err)
		}
		w.invite(req.Member, Invitation{ExpiresAt: expires, Invited: true})
		w.recordBy(ctx, model.ActionMap, req.As, who, "invited "+req.Member+orEmpty(" as ", m.SalesforceUsername))
		return nil
	})
	return m, err
}

func orEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func (w *connectionRun) invite(member string, inv Invitation) {
	if w.c.Invitations == nil {
		w.c.Invitations = map[string]Invitation{}
	}
	w.c.Invitations[member] = inv
	w.invitesChanged++
}

func (w *connectionRun) validateStartSignIn(_ workflow.Context, req StartSignInRequest) error {
	if err := w.requireState(model.ActionMap, mappable...); err != nil {
		return err
	}
	if !model.IsSlackUserID(req.Member) {
		return invalidInput("--member %q is not a Slack member id (U… or W…)", req.Member)
	}
	return w.requireMember(req.Member, req.Caller)
}

// requireMember checks that the member signing in is the one acting: a
// member maps their own account only.
func (w *connectionRun) requireMember(member string, c Caller) error {
	if c.As != "" && c.As != member {
		return invalidInput("a member signs in for themselves: \"as\" is %s, but the member signing in is %s", c.As, member)
	}
	return w.proofs.check(c)
}

// memberCaller is the member signing in, as the role check sees them.
func memberCaller(member string, c Caller) Caller {
	return Caller{As: member, Proof: c.Proof}
}

// startSignIn gives the member the org's sign-in address with a fresh state
// that only this connection knows.
func (w *connectionRun) startSignIn(ctx workflow.Context, req StartSignInRequest) (SignInChallenge, error) {
	var ch SignInChallenge
	_, err := w.step(ctx, func() error { return w.validateStartSignIn(ctx, req) }, func() error {
		// Sign-ins started before the member proved who they are and before
		// PKCE went on without either, and replay so.
		pkce := workflow.GetVersion(ctx, versionSignInStartProofPKCE, workflow.DefaultVersion, 1) == 1
		if pkce {
			if _, _, err := w.authorizeSlack(ctx, UpdateStartSignIn, model.ActionSignIn, memberCaller(req.Member, req.Caller)); err != nil {
				return err
			}
		}
		var state, verifier string
		if err := workflow.SideEffect(ctx, func(workflow.Context) any { return newState() }).Get(&state); err != nil {
			return err
		}
		if pkce {
			if err := workflow.SideEffect(ctx, func(workflow.Context) any { return newVerifier() }).Get(&verifier); err != nil {
				return err
			}
		}
		redirect := req.RedirectURI
		if redirect == "" {
			redirect = SignInRedirectURI
		}
		var url string
		err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.SignInURL, activities.SignInURLInput{
			OrgURL: w.c.OrgURL, RedirectURI: redirect, State: state, Verifier: verifier,
		}).Get(ctx, &url)
		if err != nil {
			return passOn(err)
		}
		inv, invited := w.c.Invitations[req.Member]
		if !invited {
			inv = Invitation{ExpiresAt: workflow.Now(ctx).Add(signInTTL)}
		}
		inv.State, inv.StateExpiresAt = state, workflow.Now(ctx).Add(signInTTL)
		inv.RedirectURI, inv.Verifier = redirect, verifier
		w.invite(req.Member, inv)
		ch = SignInChallenge{AuthorizeURL: url, RedirectURI: redirect, State: state, ExpiresAt: inv.StateExpiresAt}
		return nil
	})
	return ch, err
}

func (w *connectionRun) validateCompleteSignIn(ctx workflow.Context, req CompleteSignInRequest) error {
	if err := w.requireState(model.ActionMap, mappable...); err != nil {
		return err
	}
	inv, ok := w.c.Invitations[req.Member]
	if !ok || inv.State == "" || inv.State != req.State {
		return refusal(ErrInvalidState, "no sign-in of %s to %s is in progress with that state: start again with `starter members signin`", req.Member, w.c.OrgName)
	}
	if !workflow.Now(ctx).Before(inv.StateExpiresAt) {
		return refusal(ErrInvalidState, "the sign-in of %s expired: start again with `starter members signin`", req.Member)
	}
	if req.Code == "" {
		return invalidInput("the sign-in came back without a code")
	}
	return w.requireMember(req.Member, req.Caller)
}

// completeSignIn links the member once Salesforce says who signed in.
func (w *connectionRun) completeSignIn(ctx workflow.Context, req CompleteSignInRequest) (activities.MemberMapping, error) {
	var m activities.MemberMapping
	_, err := w.step(ctx, func() error { return w.validateCompleteSignIn(ctx, req) }, func() error {
		var who activities.Identity
		if workflow.GetVersion(ctx, versionSignInCompleteProof, workflow.DefaultVersion, 1) == 1 {
			var err error
			if _, who, err = w.authorizeSlack(ctx, UpdateCompleteSignIn, model.ActionSignIn, memberCaller(req.Member, req.Caller)); err != nil {
				return err
			}
		}
		// The code is exchanged with the redirect and the verifier of the
		// sign-in this connection started (none before PKCE).
		inv := w.c.Invitations[req.Member]
		redirect := inv.RedirectURI
		if redirect == "" {
			redirect = SignInRedirectURI
		}
		err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.CompleteSignIn, activities.CompleteSignInInput{
			ConnectionRef: w.c.ref(), Member: req.Member, Code: req.Code, RedirectURI: redirect, Verifier: inv.Verifier,
		}).Get(ctx, &m)
		if err != nil {
			return passOn(err)
		}
		delete(w.c.Invitations, req.Member)
		w.invitesChanged++
		w.recordBy(ctx, model.ActionMap, req.Member, who, "signed in as "+m.SalesforceUsername+": linked")
		return nil
	})
	return m, err
}

func (w *connectionRun) validateClear(_ workflow.Context, req ClearMemberRequest) error {
	if err := w.requireState(model.ActionClear, mappable...); err != nil {
		return err
	}
	if !model.IsSlackUserID(req.Member) {
		return invalidInput("--member %q is not a Slack member id (U… or W…)", req.Member)
	}
	return w.proofs.requireCaller(req.Caller)
}

// clearMember is the Salesforce admin's "clear user mapping".
func (w *connectionRun) clearMember(ctx workflow.Context, req ClearMemberRequest) (activities.MemberMapping, error) {
	var m activities.MemberMapping
	_, err := w.step(ctx, func() error { return w.validateClear(ctx, req) }, func() error {
		roles, who, err := w.authorizeSalesforce(ctx, UpdateClearMember, model.ActionClear, req.Caller)
		if err != nil {
			return err
		}
		err = workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ClearMember, activities.ClearInput{
			ConnectionRef: w.c.ref(), Member: req.Member, By: roles.Username,
		}).Get(ctx, &m)
		if err != nil {
			return passOn(err)
		}
		if _, ok := w.c.Invitations[req.Member]; ok {
			delete(w.c.Invitations, req.Member)
			w.invitesChanged++
		}
		w.recordBy(ctx, model.ActionClear, roles.Username, who, "cleared "+req.Member)
		return nil
	})
	return m, err
}

func (w *connectionRun) validateSearch(_ workflow.Context, req SearchRequest) error {
	if err := w.requireState(model.ActionSearch, mappable...); err != nil {
		return err
	}
	if req.Limit < 0 || req.Limit > 1000 {
		return invalidInput("--limit must be between 1 and 1000")
	}
	return w.proofs.requireCaller(req.Caller)
}

// search finds members and mappings; Slack admins search from the Slack
// side, Salesforce admins from the Salesforce side (user mapping search).
// It reads only, so it runs outside the steps' lock.
func (w *connectionRun) search(ctx workflow.Context, req SearchRequest) (activities.SearchResult, error) {
	var res activities.SearchResult
	if model.IsSlackUserID(req.As) {
		if _, _, err := w.authorizeSlack(ctx, UpdateSearch, model.ActionSearch, req.Caller); err != nil {
			return res, err
		}
	} else if _, _, err := w.authorizeSalesforce(ctx, UpdateSearch, model.ActionSearchMappings, req.Caller); err != nil {
		return res, err
	}
	err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.SearchMembers, activities.SearchInput{
		ConnectionRef: w.c.ref(), Query: req.Query, Limit: req.Limit,
	}).Get(ctx, &res)
	return res, passOn(err)
}

func (w *connectionRun) validateExport(_ workflow.Context, req ExportRequest) error {
	if w.c.ID == "" {
		return refusal(ErrInvalidState, "the connection of %s to %s has no mappings to export", w.c.Workspace, w.c.OrgName)
	}
	return w.proofs.requireCaller(req.Caller)
}

// export lets a Slack admin read the user mapping (the CLI streams it from
// the store, which no workflow payload could carry).
func (w *connectionRun) export(ctx workflow.Context, req ExportRequest) (ExportGrant, error) {
	if _, _, err := w.authorizeSlack(ctx, UpdateExport, model.ActionExport, req.Caller); err != nil {
		return ExportGrant{}, err
	}
	return ExportGrant{ConnectionID: w.c.ID}, nil
}

func (w *connectionRun) validateImport(_ workflow.Context, req ImportRequest) error {
	if err := w.requireState(model.ActionMap, mappable...); err != nil {
		return err
	}
	return w.proofs.requireCaller(req.Caller)
}

// grantImport checks that the caller may map members and starts the job
// their file becomes (importJob). Connections' imports before
// "job-owned-by-connection" only named the job, which the CLI started.
func (w *connectionRun) grantImport(ctx workflow.Context, req ImportRequest) (ImportGrant, error) {
	if workflow.GetVersion(ctx, versionJobOwnedByConnection, workflow.DefaultVersion, 1) == 1 {
		return w.importJob(ctx, req)
	}
	_, who, err := w.authorizeSlack(ctx, UpdateImport, model.ActionMap, req.Caller)
	if err != nil {
		return ImportGrant{}, err
	}
	var suffix string
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return newState()[:8] }).Get(&suffix); err != nil {
		return ImportGrant{}, err
	}
	id := workflow.Now(ctx).UTC().Format("20060102-150405") + "-" + suffix
	w.recordBy(ctx, model.ActionMap, req.As, who, "CSV job "+id+" for "+req.FileName)
	return ImportGrant{JobID: id, ConnectionID: w.c.ID, OrgURL: w.c.OrgURL, OrgID: w.c.OrgID}, nil
}

// nextInviteExpiry is when the earliest invitation runs out (zero: none).
func (w *connectionRun) nextInviteExpiry() time.Time {
	var next time.Time
	for _, m := range workflow.DeterministicKeys(w.c.Invitations) {
		if at := w.c.Invitations[m].ExpiresAt; next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// expireInvitations ends the invitations whose time ran out, in the store
// and here. A failure is a background failure, tried again later.
func (w *connectionRun) expireInvitations(ctx workflow.Context) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	now := workflow.Now(ctx)
	if now.Before(w.retryAt(BackgroundInvitationExpiry)) {
		return nil
	}
	var expired []string
	for _, m := range workflow.DeterministicKeys(w.c.Invitations) {
		if !now.Before(w.c.Invitations[m].ExpiresAt) {
			expired = append(expired, m)
		}
	}
	if len(expired) == 0 {
		// Nothing left to expire (the members signed in or were cleared):
		// a failure of an earlier try is over.
		w.backgroundDone(BackgroundInvitationExpiry)
		return nil
	}
	var n int
	if err := workflow.ExecuteActivity(withNotices(ctx), acts.ExpireInvitations, activities.ExpireInput{ConnectionID: w.c.ID, Now: now}).Get(ctx, &n); err != nil {
		// Connections before background failures failed on it.
		if workflow.GetVersion(ctx, versionBackgroundFailures, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return err
		}
		w.backgroundFailed(ctx, BackgroundInvitationExpiry, err, time.Time{})
		return nil
	}
	w.backgroundDone(BackgroundInvitationExpiry)
	for _, m := range expired {
		delete(w.c.Invitations, m)
	}
	w.invitesChanged++
	w.record(ctx, model.ActionMap, "invitations expired: "+strings.Join(expired, ", "))
	return nil
}
