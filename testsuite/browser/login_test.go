package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/workflows"
)

// walkSignIn plays the operator's browser for `starter login`: the
// console's /cli/login, the provider's sign-in page as login, the console's
// callback, and the redirect to the CLI's loopback address, which it
// visits as a browser would.
func walkSignIn(login string) func(context.Context, string) error {
	return func(ctx context.Context, start string) error {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			// The sandbox's My Domains are <host>.localhost to a browser.
			Transport: &http.Transport{DialContext: loopbackDialer(env.SandboxURL)}}
		next := func(u string) (string, error) {
			resp, err := browser.Get(u)
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 3 {
				return "", fmt.Errorf("%s answered %s", u, resp.Status)
			}
			return resp.Header.Get("Location"), nil
		}
		provider, err := next(start)
		if err != nil {
			return err
		}
		back, err := signinform.SignIn(ctx, browser, provider, login, sandbox.DemoPassword)
		if err != nil {
			return err
		}
		loopback, err := next(back.String())
		if err != nil {
			return err
		}
		resp, err := browser.Get(loopback)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
}

// TestStarterLoginProvesTheOperator: `starter login` goes through the same
// sign-in pages, and the commands then carry a proof: the step is verified,
// --as may be left out, and naming someone else is refused.
func TestStarterLoginProvesTheOperator(t *testing.T) {
	cfg := env.Config
	cfg.LoginFile = filepath.Join(t.TempDir(), "sfconnect", "login.json")
	run := func(open func(context.Context, string) error, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		code := starter.Run(ctx, args, starter.Env{
			In: strings.NewReader(""), Out: &out, Err: &errOut, Config: cfg, OpenURL: open,
			Dial: func() (client.Client, error) {
				opts := client.Options{}
				codec.Configure(&opts, env.Keys)
				return client.NewClientFromExisting(env.Client, opts)
			},
		})
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run(walkSignIn("owner@demo.example"), "login", "slack", "--output", "json")
	if code != 0 {
		t.Fatalf("starter login slack: %d %s %s", code, out, errOut)
	}
	var resp struct{ Subject, Team, Token string }
	if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.Subject != "U0OWNER01" || resp.Team != demoTeam || resp.Token == "" {
		t.Fatalf("login: %v %s", err, out)
	}
	code, _, errOut = run(nil, "connect", "request", "--workspace", demoTeam, "--org-url", "https://acme--uat.sandbox.my.salesforce.com", "--as", "U0ADMIN01")
	if code != 1 || !strings.Contains(errOut, "U0OWNER01") {
		t.Fatalf("--as someone else than the login: %d %s", code, errOut)
	}
	code, out, errOut = run(nil, "connect", "request", "--workspace", demoTeam, "--org-url", "https://acme--uat.sandbox.my.salesforce.com", "--output", "json")
	if code != 0 {
		t.Fatalf("request with the login: %d %s %s", code, out, errOut)
	}
	var c workflows.Connection
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.RequestedBy != "U0OWNER01" || len(c.History) == 0 || c.History[0].Unverified {
		t.Fatalf("the request is not the owner's, verified: %+v", c.History)
	}

	// A Salesforce login, for the org's approval.
	code, out, errOut = run(walkSignIn("admin@acme.example.uat"), "login", "salesforce", "--org", "acme--uat")
	if code != 0 || !strings.Contains(out, "admin@acme.example.uat") {
		t.Fatalf("starter login salesforce: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(nil, "connect", "approve", "--workspace", demoTeam, "--org", c.OrgID, "--matching-field", "Email", "--accept-terms", "--output", "json")
	if code != 0 {
		t.Fatalf("approve with the login: %d %s %s", code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	last := c.History[len(c.History)-1]
	if last.Unverified || !strings.Contains(last.By, "005") && !strings.Contains(last.By, "admin@acme.example.uat") {
		t.Fatalf("approval: %+v", last)
	}
}
