package slackapi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/slack-go/slack"
)

// ErrMemberNotFound says the workspace has no such member: users.info's
// user_not_found (which is also what a member of another workspace gets) or
// users.lookupByEmail's users_not_found. Deleted members are found, with
// Member.Deleted set.
var ErrMemberNotFound = errors.New("member not found")

// ErrInvalidAuth says Slack refused the workspace's bot token (invalid_auth,
// not_authed, account_inactive, token_revoked, token_expired). It does not
// heal by retrying; the app must be reinstalled or the token replaced.
var ErrInvalidAuth = errors.New("bot token refused")

// authErrorCodes are the Slack error codes that mean the token itself is bad,
// as opposed to the request.
var authErrorCodes = []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}

// slackErrorCode is the "error" of a Slack-level failure (ok: false), or ""
// for every other error.
func slackErrorCode(err error) string {
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return e.Err
	}
	return ""
}

// callError says which call failed in which workspace, and marks the errors
// callers branch on: auth failures with ErrInvalidAuth (dropping tc so that
// the next call fetches the token again) and the given not-found codes with
// ErrMemberNotFound. The original error stays reachable through errors.As.
// tc is nil when the failure came before any request.
func (d *Directory) callError(teamID string, tc *teamClient, call string, err error, notFound ...string) error {
	code := slackErrorCode(err)
	switch {
	case code != "" && slices.Contains(authErrorCodes, code):
		if tc != nil {
			d.forget(teamID, tc)
		}
		return fmt.Errorf("slack %s in %s: %w: %w", call, teamID, ErrInvalidAuth, err)
	case code != "" && slices.Contains(notFound, code):
		return fmt.Errorf("slack %s in %s: %w: %w", call, teamID, ErrMemberNotFound, err)
	default:
		return fmt.Errorf("slack %s in %s: %w", call, teamID, err)
	}
}

// errCursorStuck is a paging loop's complaint about a server that hands
// back the cursor it was given.
func errCursorStuck(cursor string) error {
	return fmt.Errorf("next_cursor %q repeats the cursor sent", cursor)
}
