package sfclient

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
)

// A refusal quoting a huge value stays one short line that still says
// what to do; ordinary lines are untouched.
func TestDescribeBoundsTheLine(t *testing.T) {
	huge := strings.Repeat("U", 100_000)
	err := temporal.NewApplicationError(huge+" may not activate a connection: that needs a workspace owner ("+huge+" has: no role)", "Forbidden")
	line := Describe(err)
	if len(line) > maxLineBytes+10 || !strings.Contains(line, "…") || !strings.Contains(line, "that needs a workspace owner") {
		t.Fatalf("%d bytes: %.200s", len(line), line)
	}
	many := strings.Repeat("é ", 5000)
	if got := Bound(many); len(got) > maxLineBytes+len("…") || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("a long line of short words: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	const ok = "U0ADMIN01 may not activate a connection in org 00D000000000001AAA: that needs a workspace owner (https://acme.my.salesforce.com)"
	if got := Bound(ok); got != ok {
		t.Fatalf("an ordinary line changed: %q", got)
	}
}
