package activities

import (
	"fmt"
	"time"

	"github.com/sfconnect/sfconnect/model"
)

// invitation is the DM that asks a member to link their accounts: their
// personal link to the console (model.MemberLinkPath), which signs them in
// with Slack, then Salesforce, and completes their mapping.
func (a *Activities) invitation(team, orgID, orgURL, member string, expiresAt time.Time, key string) NotifyInput {
	return NotifyInput{
		Team: team, Channel: member, Key: key,
		Text: fmt.Sprintf("You were invited to link your Slack account to Salesforce org %s. Sign in with Slack, then Salesforce, before %s:",
			orgURL, expiresAt.UTC().Format(time.RFC1123)),
		Link: model.MemberLinkPath(team, orgID), LinkText: "Link your accounts",
	}
}
