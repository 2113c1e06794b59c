package activities

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/authz"
	"github.com/sfconnect/sfconnect/orgurl"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
)

// Business failure types. They are stable: workflows, the CLI and the tests
// match on them. The non-retryable ones are listed in NonRetryable.
const (
	ErrForbidden       = "Forbidden"
	ErrInvalidInput    = "InvalidInput"
	ErrGovernmentCloud = "GovernmentCloud"
	ErrOrgNotFound     = "OrgNotFound"
	ErrIPRestricted    = "IPRestricted"
	ErrDomainMoved     = "DomainMoved"
	ErrNotFound        = "NotFound"
	// ErrUnknownWorkspace: the Slack app does not know the team (its token
	// is refused); the client ends the registry a refused request started.
	ErrUnknownWorkspace = "UnknownWorkspace"
	ErrUpstream         = "UpstreamRefused"
	// ErrUnauthenticated refuses a step whose proof of identity is missing
	// (where one is required), forged, expired, replayed or foreign.
	ErrUnauthenticated = "Unauthenticated"
	// ErrRateLimited is retryable: the next attempt waits the Retry-After.
	ErrRateLimited = "RateLimited"
)

// NonRetryable lists the failure types no retry can heal; workflows put it in
// their retry policies so that a refusal reaches the caller at once.
var NonRetryable = []string{
	ErrForbidden, ErrInvalidInput, ErrGovernmentCloud, ErrOrgNotFound,
	ErrIPRestricted, ErrDomainMoved, ErrNotFound, ErrUpstream, ErrUnauthenticated,
	ErrUnknownWorkspace,
}

// upstream is what classify needs to know of one API client's errors.
type upstream struct {
	api        string
	retryable  func(error) bool
	retryAfter func(error) (time.Duration, bool)
}

var (
	fromSlack      = upstream{"slack", slackapi.Retryable, slackapi.RetryAfter}
	fromSalesforce = upstream{"salesforce", salesforce.Retryable, salesforce.RetryAfter}
)

// classify is the package's classify, counting the failure in the
// product's metrics by API and kind.
func (a *Activities) classify(op string, from upstream, err error) error {
	out := classify(op, from, err)
	if out == nil {
		return nil
	}
	kind := "retryable"
	var app *temporal.ApplicationError
	if errors.As(out, &app) {
		switch app.Type() {
		case ErrRateLimited:
			kind = "rate_limited"
		case ErrUpstream, ErrIPRestricted, ErrDomainMoved:
			kind = "refused"
		default:
			return out // a business refusal (a role, an input), not the API failing
		}
	}
	a.Metrics.UpstreamError(from.api, kind)
	return out
}

// classify turns a client error into what Temporal should do with it:
// wait the Retry-After of a 429, retry 5xx and network errors with back-off,
// and stop at once on the rest, with a stable type.
func classify(op string, from upstream, err error) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf("%s: %v", op, err)
	var denied *authz.Denied
	var moved *salesforce.DomainMovedError
	switch {
	case errors.As(err, &denied):
		return temporal.NewNonRetryableApplicationError(denied.Error(), ErrForbidden, err)
	case errors.Is(err, orgurl.ErrGovernmentCloud):
		return temporal.NewNonRetryableApplicationError(msg, ErrGovernmentCloud, err)
	case errors.As(err, &moved):
		return temporal.NewNonRetryableApplicationError(msg, ErrDomainMoved, err, moved.To)
	case errors.Is(err, salesforce.ErrIPRestricted):
		return temporal.NewNonRetryableApplicationError(msg, ErrIPRestricted, err)
	}
	if d, ok := from.retryAfter(err); ok {
		return temporal.NewApplicationErrorWithOptions(msg, ErrRateLimited, temporal.ApplicationErrorOptions{
			NextRetryDelay: d, Cause: err,
		})
	}
	if from.retryable(err) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrUpstream, err)
}

// refuse is a business refusal with a stable type and a message for people.
func refuse(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), kind, nil)
}
