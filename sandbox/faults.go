package sandbox

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Fault injection: latency on every Slack and Salesforce request, and a
// seeded share of them answered with an error status instead, so that the
// product's retries (429 with Retry-After, 5xx with back-off) can be tested
// reproducibly. The control surface is never faulted: tests must always be
// able to turn faults off.

// Faults configures injected errors and latency.
type Faults struct {
	// ErrorRate is the probability, 0 to 1, that a request is answered with
	// one of Statuses instead of being served.
	ErrorRate float64
	// Statuses are the error statuses to choose from, uniformly; empty means
	// 429 and 503.
	Statuses []int
	// RetryAfter is announced with 429s, rounded up to whole seconds (at
	// least 1).
	RetryAfter time.Duration
	// Latency is added to every Slack and Salesforce request.
	Latency time.Duration
	// Seed seeds the RNG that picks the faulted requests; 0 uses
	// Options.Seed.
	Seed int64
	// Surface limits the faults to "slack" or "salesforce"; empty means both.
	Surface string
}

var defaultFaultStatuses = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable}

type faultInjector struct {
	mu          sync.Mutex
	f           Faults
	active      bool
	rng         *rand.Rand
	defaultSeed int64
}

func (fi *faultInjector) init(seed int64) { fi.defaultSeed = seed }

// SetFaults replaces the fault configuration. Out-of-range values are
// clamped: a rate outside 0..1, statuses outside 400..599 are dropped.
func (s *Sandbox) SetFaults(f Faults) {
	f.ErrorRate = math.Min(math.Max(f.ErrorRate, 0), 1)
	var statuses []int
	for _, st := range f.Statuses {
		if st >= 400 && st <= 599 {
			statuses = append(statuses, st)
		}
	}
	if len(statuses) == 0 {
		statuses = defaultFaultStatuses
	}
	f.Statuses = statuses
	f.Latency = max(f.Latency, 0)
	f.Surface = strings.ToLower(f.Surface)
	seed := f.Seed
	fi := &s.faults
	if seed == 0 {
		seed = fi.defaultSeed
	}
	fi.mu.Lock()
	fi.f = f
	fi.active = true
	fi.rng = rand.New(rand.NewPCG(uint64(seed), 0x5f0c0ec7))
	fi.mu.Unlock()
	s.log.Info("faults set", zap.Float64("error_rate", f.ErrorRate), zap.Ints("statuses", f.Statuses),
		zap.Duration("retry_after", f.RetryAfter), zap.Duration("latency", f.Latency), zap.Int64("seed", seed))
}

// ClearFaults turns fault injection and latency off.
func (s *Sandbox) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.active = false
	s.faults.f = Faults{}
	s.faults.mu.Unlock()
	s.log.Info("faults cleared")
}

// current returns the configuration in force and whether any is.
func (fi *faultInjector) current() (Faults, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.f, fi.active
}

// decide draws, under the lock so that the sequence is the seed's, whether
// this request fails and with which status.
func (fi *faultInjector) decide(kind surface) (latency time.Duration, status int, retryAfter time.Duration) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if !fi.active || (fi.f.Surface != "" && fi.f.Surface != kind.String()) {
		return 0, 0, 0
	}
	if fi.f.ErrorRate > 0 && fi.rng.Float64() < fi.f.ErrorRate {
		status = fi.f.Statuses[fi.rng.IntN(len(fi.f.Statuses))]
	}
	return fi.f.Latency, status, fi.f.RetryAfter
}

// apply waits the latency and, when this request is drawn, writes the fault
// and reports true: the request is then answered.
func (fi *faultInjector) apply(ctx context.Context, w http.ResponseWriter, r *http.Request, kind surface, st *statsCounter, log *zap.Logger) bool {
	latency, status, retryAfter := fi.decide(kind)
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return true // the client is gone; nothing to answer
		}
	}
	if status == 0 {
		return false
	}
	st.fault(status)
	log.Debug("fault injected", zap.String("surface", kind.String()), zap.String("path", r.URL.Path), zap.Int("status", status))
	if status == http.StatusTooManyRequests {
		secs := max(int(math.Ceil(retryAfter.Seconds())), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	switch {
	case kind == surfaceSlack && strings.HasPrefix(r.URL.Path, scimPrefix):
		scimError(w, status, "", slackFaultCode(status)+": injected fault")
	case kind == surfaceSlack:
		writeJSON(w, status, map[string]any{"ok": false, "error": slackFaultCode(status)})
	case strings.HasPrefix(r.URL.Path, "/services/oauth2/"):
		oauthError(w, status, oauthFaultCode(status), http.StatusText(status))
	default:
		sfError(w, status, salesforceFaultCode(status), "Injected fault: "+http.StatusText(status))
	}
	return true
}

func slackFaultCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "ratelimited"
	case http.StatusInternalServerError:
		return "internal_error"
	case http.StatusServiceUnavailable:
		return "service_unavailable"
	case http.StatusGatewayTimeout:
		return "request_timeout"
	}
	return "http_" + strconv.Itoa(status)
}

func oauthFaultCode(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status >= 500:
		return "temporarily_unavailable"
	}
	return "invalid_request"
}

func salesforceFaultCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "REQUEST_LIMIT_EXCEEDED"
	case http.StatusServiceUnavailable:
		return "SERVER_UNAVAILABLE"
	}
	return "UNKNOWN_EXCEPTION"
}
