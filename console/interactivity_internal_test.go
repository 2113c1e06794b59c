package console

import (
	"fmt"
	"testing"
	"time"
)

// The replay guard refuses a signature seen within the window, forgets it
// after, and never holds more than maxSeenSignatures.
func TestSeenSignaturesWindowAndBound(t *testing.T) {
	var s seenSignatures
	now := time.Unix(1_800_000_000, 0)
	if !s.first("v0=a", now) || s.first("v0=a", now.Add(time.Minute)) {
		t.Fatal("a replay within the window was accepted, or a first one refused")
	}
	if !s.first("v0=a", now.Add(requestWindow+2*time.Minute)) {
		t.Error("a signature past the window is still remembered")
	}
	for i := range maxSeenSignatures + 10 {
		s.first(fmt.Sprintf("v0=%d", i), now.Add(10*time.Minute))
	}
	if n := len(s.at); n > maxSeenSignatures || len(s.order) != n {
		t.Errorf("%d signatures held (%d in order), at most %d", n, len(s.order), maxSeenSignatures)
	}
}
