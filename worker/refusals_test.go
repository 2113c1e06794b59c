package worker

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
)

// A refusal of any shape reaches the caller as one non-retryable error
// that keeps the message and type the caller is shown.
func TestAsRefusal(t *testing.T) {
	inner := temporal.NewNonRetryableApplicationError("U0ADMIN01 may not activate", "Forbidden", nil)
	for name, tc := range map[string]struct {
		in       error
		msg, typ string
	}{
		"plain":            {errors.New("the terms of use must be accepted"), "the terms of use must be accepted", RefusalType},
		"wrapped":          {fmt.Errorf("activate: %w", inner), "U0ADMIN01 may not activate", "Forbidden"},
		"retryable app":    {temporal.NewApplicationError("already active", "InvalidInput"), "already active", "InvalidInput"},
		"non-retryable ok": {inner, "U0ADMIN01 may not activate", "Forbidden"},
	} {
		got := asRefusal(tc.in)
		var app *temporal.ApplicationError
		if !errors.As(got, &app) || !app.NonRetryable() || app.Message() != tc.msg || app.Type() != tc.typ || strings.Contains(got.Error(), "retryable: true") {
			t.Errorf("%s: %v", name, got)
		}
	}
	if asRefusal(nil) != nil {
		t.Error("no error became one")
	}
}
