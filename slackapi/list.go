package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// DefaultPageSize is the users.list page size used when the caller gives
// none: Slack's recommended maximum.
const DefaultPageSize = 200

// ListMembers calls fn with each page of teamID's members (users.list,
// cursor paging), deleted members and bots included, and stops at fn's
// first error, which it returns as is.
func (d *Directory) ListMembers(ctx context.Context, teamID string, pageSize int, fn func([]Member) error) error {
	return d.ListMembersFrom(ctx, teamID, "", pageSize, func(page []Member, _ string) error {
		return fn(page)
	})
}

// ListMembersFrom is ListMembers starting at cursor ("" for the first page)
// that also gives fn the cursor of the page after this one ("" after the
// last). A bulk job records that cursor (as activity heartbeat details) so
// that a retry resumes where the failure struck, instead of listing a large
// workspace from the start again.
func (d *Directory) ListMembersFrom(ctx context.Context, teamID, cursor string, pageSize int, fn func(page []Member, next string) error) error {
	const call = "users.list"
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	tc, err := d.client(teamID)
	if err != nil {
		return d.callError(teamID, nil, call, err)
	}
	p := tc.api.GetUsersPaginated(
		slack.GetUsersOptionLimit(pageSize),
		slack.GetUsersOptionCursor(cursor),
		slack.GetUsersOptionTeamID(teamID),
		slack.GetUsersOptionIncludeLocale(false),
	)
	for {
		sent := p.Cursor
		// Next returns its receiver unchanged on failure, so asking again
		// asks for the same page.
		err := d.retryPage(ctx, teamID, call, func() error {
			var err error
			p, err = p.Next(ctx)
			return err
		})
		if err != nil {
			return d.callError(teamID, tc, call, err)
		}
		if p.Cursor != "" && p.Cursor == sent {
			return d.callError(teamID, tc, call, errCursorStuck(sent))
		}
		page := make([]Member, len(p.Users))
		for i := range p.Users {
			page[i] = memberOf(&p.Users[i], teamID)
		}
		if err := fn(page, p.Cursor); err != nil {
			return err
		}
		if p.Cursor == "" {
			return nil
		}
	}
}
