package starter

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) membersSignInCommand() *cobra.Command {
	var ref orgRef
	var member, sfUser string
	cmd := &cobra.Command{
		Use:   "signin --workspace T… --org ORG --member U… --salesforce-user ID|USERNAME",
		Short: "Complete a member's mapping by signing in to Salesforce (OAuth code → token → userinfo)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.memberCaller(ref.team, member)
			if err != nil {
				return err
			}
			var ch workflows.SignInChallenge
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateStartSignIn, workflows.StartSignInRequest{Member: member, Caller: who}, &ch); err != nil {
				return err
			}
			code, err := a.signInAt(cmd.Context(), ch, sfUser)
			if err != nil {
				return err
			}
			var m activities.MemberMapping
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateCompleteSignIn, workflows.CompleteSignInRequest{
				Member: member, Code: code, State: ch.State, Caller: who,
			}, &m); err != nil {
				return err
			}
			return a.printMappings([]activities.MemberMapping{m}, "Linked.")
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&member, "member", "", "the Slack member id signing in (U…)")
	cmd.Flags().StringVar(&sfUser, "salesforce-user", "", "the Salesforce user they sign in as (id or username)")
	requireFlags(cmd, "member", "salesforce-user")
	return cmd
}

// signInAt plays the member's browser at Salesforce's authorization page:
// it signs in (the login hint names the user; the sandbox asks no password)
// and reads the code from the redirect back to the CLI's loopback address.
func (a *app) signInAt(ctx context.Context, ch workflows.SignInChallenge, user string) (string, error) {
	u, err := url.Parse(ch.AuthorizeURL)
	if err != nil {
		return "", fmt.Errorf("sign-in address %q: %w", ch.AuthorizeURL, err)
	}
	q := u.Query()
	q.Set("login_hint", user)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	browser := salesforce.BrowserClient(salesforce.Config{SandboxAddr: sandboxAddr(a.env)})
	resp, err := browser.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in to Salesforce at %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	back, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("the sign-in did not come back from Salesforce (HTTP %d): check the org and the user", resp.StatusCode)
	}
	got := back.Query()
	if e := got.Get("error"); e != "" {
		return "", fmt.Errorf("salesforce refused the sign-in of %s: %s %s", user, e, got.Get("error_description"))
	}
	if got.Get("state") != ch.State {
		return "", fmt.Errorf("the sign-in came back with another state: start again")
	}
	return got.Get("code"), nil
}

func sandboxAddr(env Env) string {
	if !env.Config.Sandbox() {
		return ""
	}
	return env.Config.SandboxAddr()
}
