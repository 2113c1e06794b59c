// Package slackapi is sfconnect's view of a Slack workspace: its team, its
// members and their roles, and the notices the product posts there.
//
// It speaks Slack's Web API through github.com/slack-go/slack, with one bot
// token per workspace, so the same code runs against slack.com and against
// the sandbox (Config.APIURL). With an org admin's token (Config.AdminToken)
// it also creates workspaces and their members (admin.teams.create, SCIM,
// admin.users.assign, admin.users.setOwner) and moves a workspace into an
// Enterprise organization. Every error keeps slack-go's typed errors
// reachable through errors.Is/As and says which call failed for which
// workspace; Retryable and RetryAfter classify them for the activities'
// retry policies.
package slackapi

// RoleSalesforceSystemAdmin is the id of the Slack admin role "Salesforce
// system administrator": its holders may do everything on the Slack side,
// Step 3 (activate) included (SPEC section 1).
const RoleSalesforceSystemAdmin = "Rl0SFSYSADM"

// SAMLNameIDField is the id of the custom profile field that holds a member's
// SAML NameID, the key matched against Salesforce's FederationIdentifier.
const SAMLNameIDField = "Xf0SAMLNAMEID"
