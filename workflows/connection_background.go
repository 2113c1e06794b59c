package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/logging"
)

// The background steps of an active connection: what it does by itself,
// with no one waiting on it. One that fails after its retries does not end
// the connection: it is logged, shown (Connection.BackgroundFailures) and
// tried again later.
const (
	// BackgroundInvitationExpiry ends the invitations whose time ran out.
	BackgroundInvitationExpiry = "invitation-expiry"
	// BackgroundHealthCheck asks the org whether it still answers at its URL.
	BackgroundHealthCheck = "health-check"
)

// BackgroundFailure is a background step whose last try failed. It holds
// no personal data: the error is the step's reason, emails redacted.
type BackgroundFailure struct {
	Step string `json:"step"`
	// Failures counts the tries that failed in a row, since Since.
	Failures int       `json:"failures"`
	Since    time.Time `json:"since"`
	LastAt   time.Time `json:"last_at"`
	Error    string    `json:"error"`
	// NextTry is when the step is tried again.
	NextTry time.Time `json:"next_try"`
}

// maxFailureText bounds the error a failure keeps.
const maxFailureText = 300

// retryDelay is how long a background step waits after its nth failure in
// a row: 10 minutes, doubling, at most 6 hours.
func retryDelay(n int) time.Duration {
	d := 10 * time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// backgroundFailed records that a background step failed; next is when it
// is tried again (zero: after retryDelay).
func (w *connectionRun) backgroundFailed(ctx workflow.Context, step string, err error, next time.Time) {
	now := workflow.Now(ctx)
	text := logging.RedactEmails(reason(err))
	if len(text) > maxFailureText {
		text = text[:maxFailureText] + "…"
	}
	i := w.failureIndex(step)
	if i < 0 {
		w.c.BackgroundFailures = append(w.c.BackgroundFailures, BackgroundFailure{Step: step, Since: now})
		i = len(w.c.BackgroundFailures) - 1
	}
	f := &w.c.BackgroundFailures[i]
	f.Failures++
	f.LastAt, f.Error = now, text
	if next.IsZero() {
		next = now.Add(retryDelay(f.Failures))
	}
	f.NextTry = next
	workflow.GetLogger(ctx).Warn("background step failed; the connection goes on and tries again later",
		"step", step, "failures", f.Failures, "next_try", f.NextTry, "error", text)
}

// backgroundDone forgets the failures of a step that succeeded.
func (w *connectionRun) backgroundDone(step string) {
	if i := w.failureIndex(step); i >= 0 {
		w.c.BackgroundFailures = append(w.c.BackgroundFailures[:i:i], w.c.BackgroundFailures[i+1:]...)
		if len(w.c.BackgroundFailures) == 0 {
			w.c.BackgroundFailures = nil
		}
	}
}

// retryAt is when a failing step is tried again (zero: it is not failing).
func (w *connectionRun) retryAt(step string) time.Time {
	if i := w.failureIndex(step); i >= 0 {
		return w.c.BackgroundFailures[i].NextTry
	}
	return time.Time{}
}

func (w *connectionRun) failureIndex(step string) int {
	for i, f := range w.c.BackgroundFailures {
		if f.Step == step {
			return i
		}
	}
	return -1
}
