package starter

import (
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/sfconnect/sfconnect/sfclient"
)

// describe turns what Temporal returns into the reason a person can act on.
func describe(err error) string { return sfclient.Describe(err) }

// isNotFound reports whether Temporal said the workflow does not exist.
func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}
