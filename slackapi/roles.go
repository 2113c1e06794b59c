package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// rolePageSize is the page size asked of admin.roles.listAssignments, its
// documented maximum: a role has few holders, so one page is the usual case.
const rolePageSize = 200

// HasRole says whether userID holds the Slack admin role roleID in
// workspace teamID (admin.roles.listAssignments filtered by role and by
// entity teamID, through every page). A holder whose assignment is scoped
// to the whole Enterprise organization (entity = the enterprise id) is not
// seen here: SPEC ties the role to the workspace.
func (d *Directory) HasRole(ctx context.Context, teamID, userID, roleID string) (bool, error) {
	found := false
	err := d.eachRoleHolder(ctx, teamID, roleID, "admin.roles.listAssignments "+roleID+" for "+userID, func(holder string) bool {
		found = holder == userID
		return !found
	})
	return found, err
}

// RoleHolders lists the members holding roleID in workspace teamID.
func (d *Directory) RoleHolders(ctx context.Context, teamID, roleID string) ([]string, error) {
	var holders []string
	err := d.eachRoleHolder(ctx, teamID, roleID, "admin.roles.listAssignments "+roleID, func(holder string) bool {
		holders = append(holders, holder)
		return true
	})
	return holders, err
}

// eachRoleHolder calls fn with each holder of roleID in teamID, through
// every page, until fn returns false.
func (d *Directory) eachRoleHolder(ctx context.Context, teamID, roleID, call string, fn func(userID string) bool) error {
	tc, err := d.client(teamID)
	if err != nil {
		return d.callError(teamID, nil, call, err)
	}
	cursor := ""
	for {
		opts := []slack.AdminRolesListAssignmentsOption{
			slack.AdminRolesListAssignmentsOptionRoleIDs([]string{roleID}),
			slack.AdminRolesListAssignmentsOptionEntityIDs([]string{teamID}),
			slack.AdminRolesListAssignmentsOptionLimit(rolePageSize),
		}
		if cursor != "" {
			opts = append(opts, slack.AdminRolesListAssignmentsOptionCursor(cursor))
		}
		resp, err := tc.api.AdminRolesListAssignments(ctx, opts...)
		if err != nil {
			return d.callError(teamID, tc, call, err)
		}
		for _, a := range resp.RoleAssignments {
			// The filters are the server's; checking them again costs
			// nothing and keeps a lax server from granting a role.
			if a.RoleID == roleID && (a.EntityID == "" || a.EntityID == teamID) && !fn(a.UserID) {
				return nil
			}
		}
		next := resp.ResponseMetadata.Cursor
		if next == "" {
			return nil
		}
		if next == cursor {
			// A cursor that does not move would loop forever; and "no" is
			// not a safe answer when the pages were not all read.
			return d.callError(teamID, tc, call, errCursorStuck(cursor))
		}
		cursor = next
	}
}
