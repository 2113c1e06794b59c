package starter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// Who takes a step, and the proof that goes with it (SPEC section 12): the
// token of SFCONNECT_PROOF, else the login `starter login` keeps for the
// step's side (and workspace or org). With a login, --as may be left out
// (it is the login's subject) but may not name someone else; without one,
// --as is required, and only sandbox mode accepts the bare claim.

// asFlag declares a command's --as; what says whose id it takes.
func asFlag(cmd *cobra.Command, as *string, what string) {
	cmd.Flags().StringVar(as, "as", "", what+" (default: who `starter login` signed in)")
}

// slackCaller is who takes a Slack-side step in workspace team.
func (a *app) slackCaller(team, as string) (workflows.Caller, error) {
	return a.caller(identity.SideSlack, team, as)
}

// salesforceCaller is who takes a Salesforce-side step in the org of a
// connection.
func (a *app) salesforceCaller(ctx context.Context, ref orgRef, as string) (workflows.Caller, error) {
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return workflows.Caller{}, err
	}
	return a.caller(identity.SideSalesforce, orgID, as)
}

// searchCaller is who searches a connection's members: a Slack admin or a
// Salesforce admin, as --as says, or as the logins say (Slack first).
func (a *app) searchCaller(ctx context.Context, ref orgRef, as string) (workflows.Caller, error) {
	switch {
	case as != "" && model.IsSlackUserID(as):
		return a.slackCaller(ref.team, as)
	case as != "":
		return a.salesforceCaller(ctx, ref, as)
	}
	if c, err := a.slackCaller(ref.team, ""); err == nil {
		return c, nil
	}
	c, err := a.salesforceCaller(ctx, ref, "")
	var usage usageError
	if errors.As(err, &usage) {
		return c, usagef("--as is required: name the Slack admin (member id) or Salesforce admin (id or username) searching, or sign in once with `%s` or `%s`",
			loginCommand(identity.SideSlack), loginCommand(identity.SideSalesforce))
	}
	return c, err
}

// caller picks the proof for a step of side in scope (a workspace id, or
// an org id or URL) and checks --as against it.
func (a *app) caller(side identity.Side, scope, as string) (workflows.Caller, error) {
	if p := a.env.Config.Proof; p != "" {
		if as == "" {
			return workflows.Caller{}, usagef("--as is required with SFCONNECT_PROOF: name the %s the proof is of", whose(side))
		}
		return workflows.Caller{As: as, Proof: p}, nil
	}
	logins, err := identity.ReadLogins(a.env.Config.LoginFile)
	if err != nil {
		return workflows.Caller{}, err
	}
	now := time.Now()
	var login identity.Login
	var ok bool
	if side == identity.SideSlack {
		login, ok = logins.ForSlack(scope, now)
	} else {
		login, ok = logins.ForSalesforce(scope, now)
	}
	switch {
	case !ok && as == "":
		return workflows.Caller{}, usagef("--as is required: name the %s taking this step, or sign in once with `%s`%s", whose(side), loginCommand(side), expired(logins, side, scope, now))
	case !ok:
		return workflows.Caller{As: as}, nil
	case as == "":
		return workflows.Caller{As: login.Subject, Proof: login.Token}, nil
	case !login.IsUser(side, as):
		return workflows.Caller{}, fmt.Errorf("--as %s is not who you signed in as with `%s` (%s): leave --as out, or sign in again as %s", as, loginCommand(side), login.Subject, as)
	}
	return workflows.Caller{As: as, Proof: login.Token}, nil
}

// memberCaller is a member signing in for themselves: their Slack login
// goes with the sign-in, and must be theirs.
func (a *app) memberCaller(team, member string) (workflows.Caller, error) {
	if a.env.Config.Proof != "" {
		return workflows.Caller{As: member, Proof: a.env.Config.Proof}, nil
	}
	logins, err := identity.ReadLogins(a.env.Config.LoginFile)
	if err != nil {
		return workflows.Caller{}, err
	}
	login, ok := logins.ForSlack(team, time.Now())
	if !ok {
		return workflows.Caller{As: member}, nil
	}
	if login.Subject != member {
		return workflows.Caller{}, fmt.Errorf("you signed in to Slack as %s, and a member signs in to Salesforce for themselves: %s runs `starter login slack` and this command", login.Subject, member)
	}
	return workflows.Caller{As: member, Proof: login.Token}, nil
}

func whose(side identity.Side) string {
	if side == identity.SideSalesforce {
		return "Salesforce user (id or username)"
	}
	return "Slack member (id)"
}

func loginCommand(side identity.Side) string {
	if side == identity.SideSalesforce {
		return "starter login salesforce --org ORG"
	}
	return "starter login slack"
}

// expired says so when the login of side and scope ran out.
func expired(l identity.Logins, side identity.Side, scope string, now time.Time) string {
	var at time.Time
	if side == identity.SideSlack && l.Slack != nil && l.Slack.Team == scope {
		at = l.Slack.Expires
	} else if side == identity.SideSalesforce {
		// Live at the zero time: any login of that org, expired or not.
		if login, ok := l.ForSalesforce(scope, time.Time{}); ok {
			at = login.Expires
		}
	}
	if at.IsZero() || now.Before(at) {
		return ""
	}
	return " (your login expired at " + stamp(at) + ")"
}
