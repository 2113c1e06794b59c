package starter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) membersSignInCommand() *cobra.Command {
	var ref orgRef
	var member, sfUser string
	cmd := &cobra.Command{
		Use:   "signin --workspace T… --org ORG --member U… --salesforce-user ID|USERNAME",
		Short: "Complete a member's mapping by signing in to Salesforce (sandbox: its login page with the demo password; code → token → userinfo)",
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

// signInAt plays the member's browser at Salesforce's login page: it opens
// the authorization address, logs in as user with the sandbox's demo
// password through the page's form, and reads the code from the redirect
// back to the CLI's loopback address. Only the sandbox's pages can be
// played so: with real Salesforce the member signs in in their browser.
func (a *app) signInAt(ctx context.Context, ch workflows.SignInChallenge, user string) (string, error) {
	u, err := url.Parse(ch.AuthorizeURL)
	if err != nil {
		return "", fmt.Errorf("sign-in address %q: %w", ch.AuthorizeURL, err)
	}
	if !a.env.Config.Sandbox() {
		return "", fmt.Errorf("members signin logs in on the sandbox's pages only: with Salesforce, the member signs in in a browser at %s", ch.AuthorizeURL)
	}
	browser := salesforce.BrowserClient(salesforce.Config{SandboxAddr: sandboxAddr(a.env)})
	back, err := signinform.SignIn(ctx, browser, ch.AuthorizeURL, user, sandbox.DemoPassword)
	if pe, ok := errors.AsType[*signinform.PageError](err); ok {
		if pe.Status == http.StatusUnauthorized {
			return "", fmt.Errorf("salesforce refused the sign-in of %s at %s: %s", user, u.Host, pe.Message)
		}
		return "", fmt.Errorf("the sign-in at %s stopped on a page (HTTP %d: %s): check the org", u.Host, pe.Status, pe.Message)
	}
	if err != nil {
		return "", fmt.Errorf("sign in to Salesforce at %s: %w", u.Host, err)
	}
	got := back.Query()
	if e := got.Get("error"); e != "" {
		return "", fmt.Errorf("salesforce refused the sign-in of %s: %s %s", user, e, got.Get("error_description"))
	}
	if got.Get("code") == "" {
		return "", fmt.Errorf("the sign-in did not come back from Salesforce with a code (sent to %s): check the org and the user", back.Redacted())
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
