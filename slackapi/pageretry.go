package slackapi

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// A long listing (100,000 members is 500 pages) would rarely finish if any
// one failed page threw the whole listing back to the activity's retry
// policy, whose back-off grows with every attempt. So a page is asked again
// a few times, here, on errors that Retryable says may heal; what still
// fails is returned, for the activity to retry or give up.
const (
	// pageAttempts is how many times one page is asked for at most.
	pageAttempts = 4
	// pageBackoff is the first wait after a failure without Retry-After;
	// it doubles with each attempt.
	pageBackoff = 250 * time.Millisecond
	// maxPageWait is the longest wait spent here; a longer Retry-After is
	// left to the activity, which can wait without holding a worker slot.
	maxPageWait = 30 * time.Second
)

// retryPage runs fetch until it succeeds, fails for good, or has run
// pageAttempts times, and returns its last error.
func (d *Directory) retryPage(ctx context.Context, teamID, call string, fetch func() error) error {
	backoff := pageBackoff
	for attempt := 1; ; attempt++ {
		err := fetch()
		if err == nil || attempt == pageAttempts || !Retryable(err) {
			return err
		}
		wait := backoff
		backoff *= 2
		if after, ok := RetryAfter(err); ok && after > 0 {
			wait = after
		}
		if wait > maxPageWait {
			return err
		}
		d.log.Warn("slack page failed; asking again",
			zap.String("team", teamID), zap.String("call", call),
			zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return err
		case <-timer.C:
		}
	}
}
