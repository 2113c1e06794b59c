package slackapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/slack-go/slack"
)

// transientErrorCodes are Slack-level errors (HTTP 200, ok: false) that
// Slack documents as transient trouble on its side rather than a problem
// with the request.
var transientErrorCodes = []string{"ratelimited", "internal_error", "fatal_error", "service_unavailable"}

// Retryable says whether err may heal by itself, so that an activity should
// retry: rate limits (*slack.RateLimitedError, or a 429 that came without
// Retry-After), server errors (slack.StatusCodeError or *SCIMError of 500
// and above), Slack's own transient error codes, and network failures
// (including the per-request timeout). A refused token (bot or admin), an
// unknown member, every other Slack error and a cancelled context are not
// retryable.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, ErrInvalidAuth) || errors.Is(err, ErrMemberNotFound) || errors.Is(err, ErrAdminTokenRefused) {
		return false
	}
	if _, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return true
	}
	if e, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return e.Code >= http.StatusInternalServerError || e.Code == http.StatusTooManyRequests
	}
	if e, ok := errors.AsType[*SCIMError](err); ok {
		return e.StatusCode >= http.StatusInternalServerError || e.StatusCode == http.StatusTooManyRequests
	}
	if code := slackErrorCode(err); code != "" {
		return slices.Contains(transientErrorCodes, code)
	}
	// The caller gave up: retrying would only fail the same way.
	if errors.Is(err, context.Canceled) {
		return false
	}
	// Transport failures reach us as *url.Error (from http.Client.Do, the
	// per-request timeout included) or as net errors and a cut-short body
	// (while decoding the response).
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// RetryAfter is how long Slack asked us to wait before the next call, from
// the Retry-After header of a 429 (*slack.RateLimitedError). ok is false when
// err carries no such request.
func RetryAfter(err error) (wait time.Duration, ok bool) {
	if e, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return e.RetryAfter, true
	}
	return 0, false
}
