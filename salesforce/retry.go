package salesforce

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sfconnect/sfconnect/orgurl"
)

// Retryable says whether calling again may succeed: yes for rate limits,
// Salesforce's 5xx and network failures; no for what cannot heal by itself
// (refused credentials, malformed queries, missing objects, IP restrictions,
// a moved My Domain, a refused URL) and for a cancelled context.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if _, ok := errors.AsType[*DomainMovedError](err); ok {
		return false
	}
	if _, ok := errors.AsType[*orgurl.Error](err); ok {
		return false
	}
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.rateLimited() || e.StatusCode >= 500
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded)
}

// RetryAfter is how long Salesforce asked the caller to wait, from the
// Retry-After header of a 429 (or 503), and whether it said.
func RetryAfter(err error) (time.Duration, bool) {
	if e, ok := errors.AsType[*APIError](err); ok && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// parseRetryAfter reads a Retry-After value, delay-seconds or an HTTP date
// (RFC 9110 section 10.2.3), relative to now. A date already past, or a
// value that is neither, gives 0: the caller's own back-off applies then.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// maxRetryAfter caps what a server can ask for, so that a wild header
// cannot park a workflow's retries for days.
const maxRetryAfter = 24 * time.Hour
