package model

import "net/url"

// MemberLinkPath is the console's address of a member's invitation: Slack
// sign-in, then their org's Salesforce sign-in, and the mapping is done.
// Invitations in Slack link to it (under the console's public URL).
func MemberLinkPath(team, orgID string) string {
	return "/link/" + url.PathEscape(team) + "/" + url.PathEscape(orgID)
}
