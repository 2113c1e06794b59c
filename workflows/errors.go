package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
)

// Failure types of the workflows' own refusals (the activities' are in
// package activities). They reach the caller of an update as the error's type.
const (
	ErrInvalidState = "InvalidState"
	ErrLimitReached = "LimitReached"
	ErrDuplicate    = "AlreadyConnected"
)

// MaxOrgsPerWorkspace is the article's limit: "up to 20 Salesforce orgs".
const MaxOrgsPerWorkspace = 20

func refusal(kind, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), kind)
}

func invalidInput(format string, args ...any) error {
	return refusal(activities.ErrInvalidInput, format, args...)
}

// reason extracts the person-readable message of a refusal that came back
// from an activity, without the SDK's wrapping ("activity error (type: …)").
func reason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

// passOn returns an activity's failure to an update's caller as the same
// application error (type and message), without the SDK's activity wrapping.
func passOn(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return temporal.NewApplicationError(app.Message(), app.Type())
	}
	return err
}
