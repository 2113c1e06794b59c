package starter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/console"
	"github.com/sfconnect/sfconnect/identity"
)

// loginTimeout is how long `starter login` waits for the browser.
const loginTimeout = 5 * time.Minute

func (a *app) loginCommand() *cobra.Command {
	var org, consoleURL string
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "login slack|salesforce [--org ORG]",
		Short: "Sign in as yourself, through the console's sign-in pages, so that the commands carry a proof of who you are",
		Long: `Opens the console's sign-in in your browser (Sign in with Slack, or your org's
Salesforce login) and waits on a loopback address for it to come back, as
` + "`gh auth login`" + ` does. The login token it receives is kept in your login file
(~/.config/sfconnect/login.json, mode 0600) for 12 hours; the commands then send it
with each step, and --as may be left out.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{string(identity.SideSlack), string(identity.SideSalesforce)},
		RunE: func(cmd *cobra.Command, args []string) error {
			side := identity.Side(args[0])
			if !side.Valid() {
				return usagef("login %q: say `starter login slack` or `starter login salesforce --org ORG`", args[0])
			}
			if side == identity.SideSalesforce && org == "" {
				return usagef("`starter login salesforce` needs --org: the org's My Domain URL or name (acme)")
			}
			return a.login(cmd.Context(), side, org, consoleURL, noBrowser)
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "the Salesforce org to sign in to: its My Domain URL or name")
	cmd.Flags().StringVar(&consoleURL, "console", "", "the console's address (default SFCONNECT_CONSOLE_URL, else http://127.0.0.1:8088)")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "print the address to open instead of opening a browser")
	return cmd
}

func (a *app) login(ctx context.Context, side identity.Side, org, consoleURL string, noBrowser bool) error {
	base := strings.TrimSuffix(orFirst(consoleURL, a.env.Config.ConsoleURL), "/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback for the sign-in's answer: %w", err)
	}
	defer ln.Close()
	redirect := "http://" + ln.Addr().String() + "/callback"
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	q := url.Values{
		"side": {string(side)}, "redirect_uri": {redirect}, "state": {state},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}
	if org != "" {
		q.Set("org", org)
	}
	signIn := base + "/cli/login?" + q.Encode()

	codes := make(chan string, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" || r.URL.Query().Get("state") != state || r.URL.Query().Get("code") == "" {
			http.Error(w, "This is not the answer `starter login` waits for. Run it again.", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>Signed in</title><p>Signed in. You can close this tab and go back to the terminal.</p>")
		select {
		case codes <- r.URL.Query().Get("code"):
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	fmt.Fprintf(a.env.Err, "Sign in in your browser at:\n  %s\nWaiting for it (at most %s)…\n", signIn, loginTimeout)
	switch {
	case a.env.OpenURL != nil:
		if err := a.env.OpenURL(ctx, signIn); err != nil {
			return fmt.Errorf("open the sign-in: %w", err)
		}
	case !noBrowser:
		_ = openBrowser(signIn) // the address is printed above if this fails
	}
	wait, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	var code string
	select {
	case code = <-codes:
	case <-wait.Done():
		return errors.New("the sign-in did not come back in time: run `starter login` again")
	}
	resp, err := redeemLoginCode(ctx, base, code, verifier, redirect)
	if err != nil {
		return err
	}
	path := a.env.Config.LoginFile
	if path == "" {
		return errors.New("no place for the login file: set HOME or XDG_CONFIG_HOME")
	}
	logins, err := identity.ReadLogins(path)
	if err != nil {
		return err
	}
	l := identity.Login{Token: resp.Token, Subject: resp.Subject, Team: resp.Team, Org: resp.Org, OrgURL: resp.OrgURL, Username: resp.Username, Expires: resp.Expires}
	if side == identity.SideSlack {
		logins.Slack = &l
	} else {
		if logins.Salesforce == nil {
			logins.Salesforce = map[string]identity.Login{}
		}
		logins.Salesforce[resp.Org] = l
	}
	if err := identity.WriteLogins(path, logins); err != nil {
		return err
	}
	if a.output == "json" {
		return a.printJSON(resp)
	}
	who := resp.Subject + " in workspace " + resp.Team
	if side == identity.SideSalesforce {
		who = resp.Username + " (" + resp.Subject + ") in org " + resp.Org
	}
	fmt.Fprintf(a.env.Out, "Signed in as %s until %s; kept in %s.\n", who, stamp(resp.Expires), path)
	return nil
}

// redeemLoginCode trades the one-time code for the login token, proving
// with the PKCE verifier that this CLI started the sign-in.
func redeemLoginCode(ctx context.Context, base, code, verifier, redirect string) (console.LoginResponse, error) {
	var out console.LoginResponse
	form := url.Values{"code": {code}, "code_verifier": {verifier}, "redirect_uri": {redirect}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/cli/token", strings.NewReader(form.Encode()))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, fmt.Errorf("reach the console at %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return out, fmt.Errorf("the console refused the sign-in: %s", orFirst(e.Error, resp.Status))
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return out, fmt.Errorf("the console's answer: %w", err)
	}
	return out, nil
}

// openBrowser asks the desktop to open u.
func openBrowser(u string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	return exec.Command(name, u).Start()
}

func orFirst(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
