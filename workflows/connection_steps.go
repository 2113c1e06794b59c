package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// setStep registers one human step both as an update (its validator answers
// the caller at once and writes nothing to history) and as a signal of the
// same name and payload, whose refusals are kept in Connection.Attempts (the newest MaxAttempts)
// because a signal's sender learns nothing otherwise.
func setStep[T, R any](ctx workflow.Context, w *connectionRun, name string, action model.Action,
	validate func(workflow.Context, T) error,
	apply func(workflow.Context, T) (R, error),
	caller func(T) string,
) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, name, apply, workflow.UpdateHandlerOptions{Validator: validate}); err != nil {
		return fmt.Errorf("register update %s: %w", name, err)
	}
	ch := workflow.GetSignalChannel(ctx, name)
	w.signals = append(w.signals, ch)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			// A payload that cannot be read is a refused attempt too
			// (receiveSignal), not dropped by the SDK with a log line.
			req, err := receiveSignal[T](ctx, ch)
			w.signalsBusy++
			if err == nil {
				err = validate(ctx, req)
			}
			if err == nil {
				_, err = apply(ctx, req)
			}
			if err != nil {
				w.c.addAttempt(Attempt{
					At: workflow.Now(ctx), Action: action, By: caller(req), Via: "signal", Reason: reason(err),
				})
			}
			w.signalsBusy--
		}
	})
	return nil
}

// requireState refuses a step that the connection's state does not allow.
func (w *connectionRun) requireState(action model.Action, allowed ...model.State) error {
	for _, s := range allowed {
		if w.c.State == s {
			return nil
		}
	}
	return refusal(ErrInvalidState, "cannot %s the connection of %s to %s: it is %s, and %s needs %s",
		action, w.c.Workspace, w.c.OrgName, w.c.State, action, joinStates(allowed))
}

func joinStates(states []model.State) string {
	s := ""
	for i, st := range states {
		if i > 0 {
			s += " or "
		}
		s += string(st)
	}
	return s
}

func (w *connectionRun) validateApprove(_ workflow.Context, req ApproveRequest) error {
	if err := w.requireState(model.ActionApprove, model.StatePendingApproval); err != nil {
		return err
	}
	if err := w.proofs.requireCaller(req.Caller); err != nil {
		return err
	}
	if _, err := model.ParseMatchingField(req.MatchingField); err != nil {
		return invalidInput("%v", err)
	}
	if !req.AcceptTerms {
		return invalidInput("approving needs the terms of use accepted: pass --accept-terms (\"accept_terms\": true)")
	}
	return nil
}

// approve is Step 2: a Salesforce system admin of the org chooses the
// matching field and accepts the terms.
func (w *connectionRun) approve(ctx workflow.Context, req ApproveRequest) (Connection, error) {
	return w.step(ctx, func() error { return w.validateApprove(ctx, req) }, func() error {
		roles, who, err := w.authorizeSalesforce(ctx, UpdateApprove, model.ActionApprove, req.Caller)
		if err != nil {
			return err
		}
		// IP restrictions are checked again at approval (the article's third
		// rule): a warning, not a refusal.
		if workflow.GetVersion(ctx, versionIPCheckAtApproval, workflow.DefaultVersion, 1) == 1 {
			var h activities.HealthResult
			if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.CheckOrg, activities.HealthInput{OrgURL: w.c.OrgURL, OrgID: w.c.OrgID}).Get(ctx, &h); err == nil {
				w.c.Warnings = withoutPrefix(w.c.Warnings, activities.WarningIPRestrictions)
				if h.IPRestricted {
					w.c.Warnings = append(w.c.Warnings, activities.WarningIPRestrictions)
				}
			}
		}
		field, _ := model.ParseMatchingField(req.MatchingField)
		w.c.MatchingField = string(field)
		w.recordBy(ctx, model.ActionApprove, roles.Username, who, "matching field "+string(field)+", terms accepted")
		w.startWaiting(ctx)
		w.setState(ctx, model.StatePendingActivation)
		w.tellRequester(ctx, fmt.Sprintf("%s approved the connection to Salesforce org %s (%s). A workspace owner can now activate it (Step 3).",
			roles.Username, w.c.OrgName, w.c.OrgURL))
		return nil
	})
}

func (w *connectionRun) validateReject(_ workflow.Context, req RejectRequest) error {
	if err := w.requireState(model.ActionReject, model.StatePendingApproval); err != nil {
		return err
	}
	return w.proofs.requireCaller(req.Caller)
}

// reject ends a pending request, on the Salesforce side.
func (w *connectionRun) reject(ctx workflow.Context, req RejectRequest) (Connection, error) {
	return w.step(ctx, func() error { return w.validateReject(ctx, req) }, func() error {
		roles, who, err := w.authorizeSalesforce(ctx, UpdateReject, model.ActionReject, req.Caller)
		if err != nil {
			return err
		}
		w.c.RejectReason = req.Reason
		w.c.ExpiresAt = workflow.Now(ctx)
		w.recordBy(ctx, model.ActionReject, roles.Username, who, req.Reason)
		w.setState(ctx, model.StateRejected)
		text := fmt.Sprintf("%s rejected the connection to Salesforce org %s.", roles.Username, w.c.OrgName)
		if req.Reason != "" {
			text += " Reason: " + req.Reason
		}
		w.tellRequester(ctx, text)
		return nil
	})
}

func (w *connectionRun) validateActivate(_ workflow.Context, req ActivateRequest) error {
	if err := w.requireState(model.ActionActivate, model.StatePendingActivation); err != nil {
		return err
	}
	return w.proofs.requireCaller(req.Caller)
}

// activate is Step 3: an owner (or a holder of the Salesforce system
// administrator role) activates; the integration user is set up.
func (w *connectionRun) activate(ctx workflow.Context, req ActivateRequest) (Connection, error) {
	return w.step(ctx, func() error { return w.validateActivate(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateActivate, model.ActionActivate, req.Caller)
		if err != nil {
			return err
		}
		var user activities.IntegrationUser
		err = workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.SetupIntegrationUser,
			activities.IntegrationInput{OrgURL: w.c.OrgURL}).Get(ctx, &user)
		if err != nil {
			return passOn(err)
		}
		w.c.IntegrationUser = user.Username
		w.c.PermissionObjects = user.Objects
		// Version 2 connections read the permission set from the org.
		if workflow.GetVersion(ctx, versionActivateReadsPermissionSet, workflow.DefaultVersion, 1) == 1 && w.c.Version >= 2 {
			var objs activities.ObjectsResult
			if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ListObjects, activities.ObjectsInput{OrgURL: w.c.OrgURL}).Get(ctx, &objs); err != nil {
				return passOn(err)
			}
			w.c.PermissionObjects = objs.Objects
		}
		w.c.ExpiresAt = time.Time{}
		w.recordBy(ctx, model.ActionActivate, req.As, who, "integration user "+user.Username)
		w.setState(ctx, model.StateActive)
		// Automatic mapping starts at activation when it was chosen in Step 1
		// (it reads the member directory as it goes); otherwise the directory
		// is copied for the member search of manual mapping.
		if w.c.AutoMap {
			if _, err := w.startAutoMap(ctx, req.As, who); err != nil {
				workflow.GetLogger(ctx).Error("automatic mapping not started", "error", err)
			}
		} else {
			w.syncDirectory(ctx)
		}
		w.tellRequester(ctx, fmt.Sprintf("The connection to Salesforce org %s is active.", w.c.OrgName))
		return nil
	})
}

func (w *connectionRun) validateDisconnect(_ workflow.Context, req DisconnectRequest) error {
	if w.c.State.Terminal() {
		return refusal(ErrInvalidState, "the connection of %s to %s has already ended (%s)", w.c.Workspace, w.c.OrgName, w.c.State)
	}
	return w.proofs.requireCaller(req.Caller)
}

// disconnect removes the connection; a pending one is withdrawn.
func (w *connectionRun) disconnect(ctx workflow.Context, req DisconnectRequest) (Connection, error) {
	return w.step(ctx, func() error { return w.validateDisconnect(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateDisconnect, model.ActionDisconnect, req.Caller)
		if err != nil {
			return err
		}
		w.c.ExpiresAt = time.Time{}
		if w.cancelAutoMap != nil {
			w.cancelAutoMap()
		}
		w.stopJobs(ctx)
		w.recordBy(ctx, model.ActionDisconnect, req.As, who, "was "+string(w.c.State)+"; mappings kept as history")
		w.setState(ctx, model.StateDisconnected)
		w.tellRequester(ctx, fmt.Sprintf("%s disconnected Salesforce org %s from this workspace.", req.As, w.c.OrgName))
		return nil
	})
}

// step runs a human step under the mutex: the state is checked again once
// the lock is held (another step or the expiry may have come first), then
// the step awaits its role check and applies.
func (w *connectionRun) step(ctx workflow.Context, check, apply func() error) (Connection, error) {
	if err := w.mu.Lock(ctx); err != nil {
		return w.c.public(), err
	}
	defer w.mu.Unlock()
	if err := check(); err != nil {
		return w.c.public(), err
	}
	if err := apply(); err != nil {
		// The org answered from another My Domain: find out where, at once,
		// rather than at the next health check (the article's fourth rule).
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == activities.ErrDomainMoved && w.c.State == model.StateActive {
			w.checkHealthLocked(ctx)
		}
		return w.c.public(), err
	}
	return w.c.public(), nil
}
