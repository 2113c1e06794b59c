package starter

import (
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// describe turns what Temporal returns into the reason a person can act on:
// the refusal's own message, without the SDK's wrapping.
func describe(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return "not found: " + notFound.Message
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return "Temporal is unavailable (" + unavailable.Message + "): is `make run` running?"
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") {
		return "cannot reach Temporal (" + msg + "): is `make run` running?"
	}
	return msg
}

// isNotFound reports whether Temporal said the workflow does not exist.
func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}
