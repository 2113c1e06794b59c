package activities_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
)

// A 429's Retry-After becomes the activity's next retry delay (Temporal
// waits at least that long: no hot loop); a 5xx is retried with back-off;
// a refusal that no retry can heal is not retried at all.
func TestRetryAfterAndErrorsThatCannotHeal(t *testing.T) {
	a, sb := newActivities(t)
	ctx := context.Background()

	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{429}, RetryAfter: 3 * time.Second})
	_, err := a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://acme.my.salesforce.com"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != activities.ErrRateLimited || app.NonRetryable() || app.NextRetryDelay() < 3*time.Second {
		t.Fatalf("a Salesforce 429 with Retry-After 3: %v (next retry in %v)", err, nextDelay(app))
	}
	_, err = a.AuthorizeSlack(ctx, activities.AuthorizeSlackInput{Team: "T0DEMO0001", User: "U0OWNER01", Action: model.ActionRequest})
	if !errors.As(err, &app) || app.Type() != activities.ErrRateLimited || app.NextRetryDelay() < 3*time.Second {
		t.Fatalf("a Slack 429 with Retry-After 3: %v (next retry in %v)", err, nextDelay(app))
	}

	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{503}})
	_, err = a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://acme.my.salesforce.com"})
	if err == nil || errors.As(err, &app) && app.NonRetryable() {
		t.Fatalf("a 503 must be retried: %v", err)
	}

	sb.ClearFaults()
	if err := sb.SetIPEnforced("locked", true); err != nil {
		t.Fatal(err)
	}
	_, err = a.ResolveOrg(ctx, activities.ResolveOrgInput{URL: "https://locked.my.salesforce.com"})
	if !errors.As(err, &app) || app.Type() != activities.ErrIPRestricted || !app.NonRetryable() {
		t.Fatalf("an IP-restricted org must fail at once: %v", err)
	}
}

func nextDelay(app *temporal.ApplicationError) time.Duration {
	if app == nil {
		return 0
	}
	return app.NextRetryDelay()
}
