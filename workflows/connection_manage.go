package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
)

// setupManage registers the connection management messages.
func (w *connectionRun) setupManage(ctx workflow.Context) error {
	if err := setStep(ctx, w, UpdateUpdate, model.ActionUpdate, w.validateUpdate, w.update, func(r ConnectionUpdate) string { return r.As }); err != nil {
		return err
	}
	if err := setStep(ctx, w, UpdateBanner, model.ActionBanner, w.validateBanner, w.banner, func(r BannerRequest) string { return r.As }); err != nil {
		return err
	}
	return setStep(ctx, w, UpdateObjects, model.ActionObjects, w.validateObjects, w.objects, func(r ObjectsRequest) string { return r.As })
}

// updateAvailable reports whether the connection is older than the newest
// connection version.
func (c Connection) updateAvailable() bool { return c.Version < CurrentConnectionVersion }

func (w *connectionRun) validateUpdate(_ workflow.Context, req ConnectionUpdate) error {
	if err := w.requireState(model.ActionUpdate, mappable...); err != nil {
		return err
	}
	if req.OrgURL != "" {
		md, err := parseOrgURL(req.OrgURL)
		if err != nil {
			return err
		}
		if md.URL() == w.c.OrgURL && w.c.State != model.StateNeedsUpdate {
			return invalidInput("the connection already uses %s", md.URL())
		}
	} else if !w.c.updateAvailable() && w.c.State != model.StateNeedsUpdate {
		return refusal(ErrInvalidState, "the connection of %s to %s is up to date (version %d)", w.c.Workspace, w.c.OrgName, w.c.Version)
	} else if w.c.State == model.StateNeedsUpdate {
		return invalidInput("the org's URL changed: give the new one with --org-url (%s)", w.movedTo())
	}
	return w.proofs.requireCaller(req.Caller)
}

// movedTo is the URL the org was last seen answering from.
func (w *connectionRun) movedTo() string {
	for _, warn := range w.c.Warnings {
		if rest, ok := strings.CutPrefix(warn, warningMovedPrefix); ok {
			return strings.Fields(rest)[0]
		}
	}
	return "see the warning in `starter connect status`"
}

// update moves the connection to a new URL of the same org, and brings it
// to the newest connection version, keeping its mappings and settings.
func (w *connectionRun) update(ctx workflow.Context, req ConnectionUpdate) (Connection, error) {
	return w.step(ctx, func() error { return w.validateUpdate(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateUpdate, model.ActionUpdate, req.Caller)
		if err != nil {
			return err
		}
		if req.OrgURL != "" {
			md, _ := parseOrgURL(req.OrgURL)
			var org activities.OrgInfo
			err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.VerifyOrgURL, activities.HealthInput{OrgURL: md.URL(), OrgID: w.c.OrgID}).Get(ctx, &org)
			if err != nil {
				return passOn(err)
			}
			old := w.c.OrgURL
			w.c.OrgURL, w.c.OrgName = org.URL, org.Name
			w.c.Warnings = withoutPrefix(w.c.Warnings, warningMovedPrefix)
			_ = workflow.UpsertTypedSearchAttributes(ctx, OrgNameKey.ValueSet(org.Name))
			w.recordBy(ctx, model.ActionUpdate, req.As, who, "org URL "+old+" → "+org.URL)
		}
		if w.c.updateAvailable() {
			if err := w.upgrade(ctx); err != nil {
				return err
			}
			w.recordBy(ctx, model.ActionUpdate, req.As, who, fmt.Sprintf("connection version %d", w.c.Version))
		}
		w.setState(ctx, model.StateActive)
		return nil
	})
}

// upgrade brings an older connection to the newest version, step by step.
// Version 2 reads the integration user's permission set from the org
// instead of assuming the defaults.
func (w *connectionRun) upgrade(ctx workflow.Context) error {
	if w.c.Version < 2 {
		var res activities.ObjectsResult
		if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.ListObjects, activities.ObjectsInput{OrgURL: w.c.OrgURL}).Get(ctx, &res); err != nil {
			return passOn(err)
		}
		w.c.PermissionObjects = res.Objects
		w.c.Version = 2
	}
	return workflow.UpsertTypedSearchAttributes(ctx, VersionKey.ValueSet(int64(w.c.Version)))
}

func withoutPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if !strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func (w *connectionRun) validateBanner(_ workflow.Context, req BannerRequest) error {
	if err := w.requireState(model.ActionBanner, mappable...); err != nil {
		return err
	}
	if req.On == w.c.Banner {
		return invalidInput("the login banner of %s is already %s", w.c.OrgName, onOff(req.On))
	}
	return w.proofs.requireCaller(req.Caller)
}

// banner turns the Salesforce login banner on or off; turning it on tells
// the mapped and invited members, in Slack, to sign in.
func (w *connectionRun) banner(ctx workflow.Context, req BannerRequest) (Connection, error) {
	return w.step(ctx, func() error { return w.validateBanner(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateBanner, model.ActionBanner, req.Caller)
		if err != nil {
			return err
		}
		w.c.Banner = req.On
		w.recordBy(ctx, model.ActionBanner, req.As, who, "login banner "+onOff(req.On))
		if req.On {
			text := fmt.Sprintf("Sign in to Salesforce (%s) from Slack to use its features here: link your accounts with your personal link.", w.c.OrgURL)
			w.background.Add(1)
			workflow.Go(ctx, func(ctx workflow.Context) {
				defer w.background.Done()
				var n int
				err := workflow.ExecuteActivity(withNotices(ctx), acts.NotifyMembers, activities.NotifyMembersInput{
					ConnectionID: w.c.ID, Team: w.c.Workspace, Text: text,
					Link: model.MemberLinkPath(w.c.Workspace, w.c.OrgID), LinkText: "Link your accounts",
				}).Get(ctx, &n)
				if err != nil {
					workflow.GetLogger(ctx).Warn("banner notices not delivered", "error", err)
				}
			})
		}
		return nil
	})
}

func (w *connectionRun) validateObjects(_ workflow.Context, req ObjectsRequest) error {
	if err := w.requireState(model.ActionObjects, mappable...); err != nil {
		return err
	}
	return w.proofs.requireCaller(req.Caller)
}

// objects lists the integration user's permission set objects, or opens
// more object types to it.
func (w *connectionRun) objects(ctx workflow.Context, req ObjectsRequest) (activities.ObjectsResult, error) {
	var res activities.ObjectsResult
	_, err := w.step(ctx, func() error { return w.validateObjects(ctx, req) }, func() error {
		_, who, err := w.authorizeSlack(ctx, UpdateObjects, model.ActionObjects, req.Caller)
		if err != nil {
			return err
		}
		act := acts.ListObjects
		if len(req.Add) > 0 {
			act = acts.AddObjects
		}
		if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), act, activities.ObjectsInput{OrgURL: w.c.OrgURL, Objects: req.Add}).Get(ctx, &res); err != nil {
			return passOn(err)
		}
		w.c.PermissionObjects = res.Objects
		if len(res.Added) > 0 {
			w.recordBy(ctx, model.ActionObjects, req.As, who, "added "+strings.Join(res.Added, ", "))
		}
		return nil
	})
	return res, err
}

// checkHealth asks the org whether it still answers at the connection's
// URL: a renamed My Domain puts the connection in needs_update, with the new
// URL in a warning; IP restrictions turned on or off update their warning.
func (w *connectionRun) checkHealth(ctx workflow.Context) error {
	if err := w.mu.Lock(ctx); err != nil {
		return err
	}
	defer w.mu.Unlock()
	w.checkHealthLocked(ctx)
	return nil
}

// checkHealthLocked is checkHealth for a caller that holds the steps' lock.
func (w *connectionRun) checkHealthLocked(ctx workflow.Context) {
	var h activities.HealthResult
	if err := workflow.ExecuteActivity(withDirectoryCalls(ctx), acts.CheckOrg, activities.HealthInput{OrgURL: w.c.OrgURL, OrgID: w.c.OrgID}).Get(ctx, &h); err != nil {
		// Tried again at the next check.
		next := w.c.LastHealthAt
		if next.IsZero() {
			next = workflow.Now(ctx)
		}
		w.backgroundFailed(ctx, BackgroundHealthCheck, err, next.Add(w.timing.HealthEvery))
		return
	}
	w.backgroundDone(BackgroundHealthCheck)
	w.c.Warnings = withoutPrefix(w.c.Warnings, activities.WarningIPRestrictions)
	if h.IPRestricted {
		w.c.Warnings = append(w.c.Warnings, activities.WarningIPRestrictions)
	}
	if h.MovedTo != "" && w.c.State == model.StateActive {
		w.c.Warnings = append(withoutPrefix(w.c.Warnings, warningMovedPrefix),
			warningMovedPrefix+h.MovedTo+" : update the connection with `starter connect update --org-url "+h.MovedTo+"`")
		w.record(ctx, model.ActionUpdate, "the org answers from "+h.MovedTo)
		w.setState(ctx, model.StateNeedsUpdate)
		w.notify(ctx, w.c.RequestedBy, fmt.Sprintf("Salesforce org %s moved to %s: update its connection (`starter connect update --org-url %s`).", w.c.OrgName, h.MovedTo, h.MovedTo))
	}
}
