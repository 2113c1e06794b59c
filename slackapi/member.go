package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// Member is a Slack member with what the product needs: identity, the
// mapping keys (email, SAML NameID) and the roles of SPEC section 1.
type Member struct {
	ID          string
	TeamID      string
	Name        string
	RealName    string
	DisplayName string
	Email       string
	// SAMLNameID is the value of the custom profile field SAMLNameIDField;
	// empty when the member has none.
	SAMLNameID string

	Deleted        bool
	IsBot          bool
	IsPrimaryOwner bool
	IsOwner        bool
	IsAdmin        bool

	// EnterpriseID, IsOrgOwner and IsOrgAdmin come from enterprise_user, on
	// a workspace of an Enterprise organization.
	EnterpriseID string
	IsOrgOwner   bool
	IsOrgAdmin   bool
}

// Member returns the member userID of teamID (users.info). A member of
// another workspace, or no member at all, is ErrMemberNotFound; a deleted
// member is returned with Deleted set.
func (d *Directory) Member(ctx context.Context, teamID, userID string) (Member, error) {
	call := "users.info " + userID
	tc, err := d.client(teamID)
	if err != nil {
		return Member{}, d.callError(teamID, nil, call, err)
	}
	u, err := tc.api.GetUserInfoContext(ctx, userID, slack.GetUserInfoOptionIncludeLocale(false))
	if err != nil {
		return Member{}, d.callError(teamID, tc, call, err, "user_not_found")
	}
	return memberOf(u, teamID), nil
}

// MemberByEmail returns the member of teamID whose email is email
// (users.lookupByEmail); ErrMemberNotFound when there is none.
func (d *Directory) MemberByEmail(ctx context.Context, teamID, email string) (Member, error) {
	call := "users.lookupByEmail " + email
	tc, err := d.client(teamID)
	if err != nil {
		return Member{}, d.callError(teamID, nil, call, err)
	}
	u, err := tc.api.GetUserByEmailContext(ctx, email)
	if err != nil {
		return Member{}, d.callError(teamID, tc, call, err, "users_not_found", "user_not_found")
	}
	return memberOf(u, teamID), nil
}

// memberOf converts slack-go's user. teamID stands in for a missing team_id:
// the member was found through teamID's token, so it belongs there.
func memberOf(u *slack.User, teamID string) Member {
	m := Member{
		ID:             u.ID,
		TeamID:         u.TeamID,
		Name:           u.Name,
		RealName:       u.RealName,
		DisplayName:    u.Profile.DisplayName,
		Email:          u.Profile.Email,
		SAMLNameID:     u.Profile.Fields.ToMap()[SAMLNameIDField].Value,
		Deleted:        u.Deleted,
		IsBot:          u.IsBot,
		IsPrimaryOwner: u.IsPrimaryOwner,
		IsOwner:        u.IsOwner,
		IsAdmin:        u.IsAdmin,
		EnterpriseID:   u.Enterprise.EnterpriseID,
		// The org's primary owner is an org owner too.
		IsOrgOwner: u.Enterprise.IsOwner || u.Enterprise.IsPrimaryOwner,
		IsOrgAdmin: u.Enterprise.IsAdmin,
	}
	if m.TeamID == "" {
		m.TeamID = teamID
	}
	// Slack keeps the real name in the profile; the top-level copy is
	// legacy and may be missing.
	if m.RealName == "" {
		m.RealName = u.Profile.RealName
	}
	return m
}
