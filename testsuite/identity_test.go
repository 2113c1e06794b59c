package testsuite

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/workflows"
)

// provingEnv is an environment of its own whose worker requires a proof
// of identity with every human step, as outside sandbox mode
// (SFCONNECT_REQUIRE_PROOF=1), and the console's signer: the same key.
type provingEnv struct {
	*devenv.Env
	t      *testing.T
	ctx    context.Context
	signer *identity.Signer
}

func startProvingEnv(t *testing.T, ctx context.Context) *provingEnv {
	t.Helper()
	dir := t.TempDir()
	cfg, _ := config.LoadFrom(func(string) string { return "" })
	cfg.DataDir, cfg.DatabaseURL, cfg.RequireProof = dir, "sqlite:"+filepath.Join(dir, "store.db"), true
	e, err := devenv.Start(ctx, devenv.Options{TemporalPath: temporalBin(), Config: cfg, CodecAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	// The console's key: the one the worker generated under the data folder.
	key, err := e.Config.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := identity.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return &provingEnv{Env: e, t: t, ctx: ctx, signer: s}
}

// cli runs a starter command line with cfg's proof settings.
func (p *provingEnv) cli(cfg config.Config, args ...string) result {
	var out, errOut strings.Builder
	code := starter.Run(p.ctx, args, starter.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Config: cfg,
		Dial: func() (client.Client, error) {
			opts := client.Options{HostPort: p.Server.FrontendHostPort(), Logger: logging.Temporal(zap.NewNop())}
			codec.Configure(&opts, p.Keys)
			return client.Dial(opts)
		}})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// with is the environment's configuration carrying proof (SFCONNECT_PROOF).
func (p *provingEnv) with(proof string) config.Config {
	cfg := p.Config
	cfg.Proof = proof
	return cfg
}

func (p *provingEnv) assert(c identity.Claims, workflowID, step string) string {
	p.t.Helper()
	c.Workflow, c.Step = workflowID, step
	tok, err := p.signer.Assert(c, 0)
	if err != nil {
		p.t.Fatal(err)
	}
	return tok
}

func (p *provingEnv) must(cfg config.Config, args ...string) result {
	p.t.Helper()
	r := p.cli(cfg, args...)
	if r.code != 0 {
		p.t.Fatalf("starter %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

func (p *provingEnv) refused(cfg config.Config, want string, args ...string) {
	p.t.Helper()
	r := p.cli(cfg, args...)
	if r.code != starter.ExitRefused || !strings.Contains(r.err, want) || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
		p.t.Fatalf("starter %s: want exit 1 with %q on one line\n%s", strings.Join(args, " "), want, r)
	}
}

// A worker that requires proofs refuses a bare --as, accepts a signed
// assertion bound to the workflow and the step (once), and a `starter
// login` token as often as it is used; a forged one changes nothing.
func TestProofsOnTheDevServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := startProvingEnv(t, ctx)
	const ws, org = "T0DEMO0001", "00D000000000001AAA"
	owner := identity.Claims{Side: identity.SideSlack, Subject: "U0OWNER01", Team: ws}
	admin := identity.Claims{Side: identity.SideSalesforce, Subject: "005000000000001AAA", Org: org}
	registry, conn := workflows.WorkspaceWorkflowID(ws), workflows.ConnectionWorkflowID(ws, org)
	request := []string{"connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01"}
	acme := []string{"--workspace", ws, "--org", org}
	bare := p.Config

	// A bare --as: refused, and no connection was started.
	p.refused(bare, "needs a proof of who takes it", request...)
	if r := p.cli(bare, append([]string{"connect", "status"}, acme...)...); r.code == 0 {
		t.Fatalf("a refused request started a connection:\n%s", r)
	}

	// The console's assertion for Step 1, bound to the registry and "request".
	tok := p.assert(owner, registry, workflows.UpdateRequest)
	p.must(p.with(tok), request...)
	// The same assertion again, for another org: refused at once.
	p.refused(p.with(tok), "already used", "connect", "request", "--workspace", ws, "--org-url", "https://org02.my.salesforce.com", "--as", "U0OWNER01")
	// An assertion for another step does not serve this one.
	p.refused(p.with(p.assert(admin, conn, workflows.UpdateReject)), "for the step", append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, acme...)...)
	p.must(p.with(p.assert(admin, conn, workflows.UpdateApprove)), append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, acme...)...)

	// Forged (another key): refused; the connection still waits for Step 3.
	forger, _ := identity.NewSigner([]byte("not the worker's key, 32 bytes.."))
	forged, _ := forger.Assert(identity.Claims{Side: identity.SideSlack, Subject: "U0OWNER01", Team: ws, Workflow: conn, Step: workflows.UpdateActivate}, 0)
	p.refused(p.with(forged), "signature is not valid", append([]string{"connect", "activate", "--as", "U0OWNER01"}, acme...)...)

	// A `starter login` token in the login file: no --as needed, used twice.
	login, err := p.signer.LoginToken(owner, 0)
	if err != nil {
		t.Fatal(err)
	}
	withLogin := p.Config
	withLogin.LoginFile = filepath.Join(t.TempDir(), "sfconnect", "login.json")
	if err := identity.WriteLogins(withLogin.LoginFile, identity.Logins{Slack: &identity.Login{Token: login, Subject: "U0OWNER01", Team: ws, Expires: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	p.must(withLogin, append([]string{"connect", "activate"}, acme...)...)
	p.must(withLogin, append([]string{"connect", "banner", "on"}, acme...)...)
	p.refused(withLogin, "not who you signed in as", append([]string{"connect", "banner", "off", "--as", "U0ADMIN01"}, acme...)...)

	// The stock temporal CLI passes the proof in the payload's "proof".
	off := p.assert(owner, conn, workflows.UpdateBanner)
	out, err := exec.CommandContext(ctx, temporalBin(), "workflow", "update", "execute", "--workflow-id", conn, "--name", workflows.UpdateBanner,
		"--input", `{"on":false,"as":"U0OWNER01","proof":"`+off+`"}`, "--address", p.Server.FrontendHostPort(), "--codec-endpoint", p.CodecURL).CombinedOutput()
	if err != nil {
		t.Fatalf("banner off by the stock CLI: %v\n%s", err, out)
	}
	out, err = exec.CommandContext(ctx, temporalBin(), "workflow", "update", "execute", "--workflow-id", conn, "--name", workflows.UpdateBanner,
		"--input", `{"on":true,"as":"U0OWNER01"}`, "--address", p.Server.FrontendHostPort(), "--codec-endpoint", p.CodecURL).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs a proof") {
		t.Fatalf("a bare stock CLI update: err=%v\n%s", err, out)
	}

	// What the history says of who did what, and how it was proven.
	var c workflows.Connection
	if err := json.Unmarshal([]byte(p.must(bare, append([]string{"connect", "status", "--output", "json"}, acme...)...).out), &c); err != nil {
		t.Fatal(err)
	}
	for _, e := range c.History {
		if e.Unverified {
			t.Errorf("an unverified step on a worker that requires proofs: %+v", e)
		}
	}
	if c.State != "active" || c.Banner || len(c.History) < 5 {
		t.Fatalf("connection: %s banner=%v history %+v", c.State, c.Banner, c.History)
	}
	for _, e := range c.History {
		want := map[string]identity.Kind{"request": identity.KindAssertion, "approve": identity.KindAssertion, "activate": identity.KindLogin}[string(e.Action)]
		if want != "" && e.ProofKind != want {
			t.Errorf("%s proven by %q, want %q", e.Action, e.ProofKind, want)
		}
	}
	if text := p.must(bare, append([]string{"connect", "status"}, acme...)...).out; strings.Contains(text, "(unverified)") {
		t.Errorf("the status marks proven steps unverified:\n%s", text)
	}
	p.must(withLogin, append([]string{"connect", "disconnect", "--yes"}, acme...)...)
}

// In sandbox mode (the shared environment) a bare --as still works and is
// shown as unverified.
func TestBareAsIsUnverifiedInSandboxMode(t *testing.T) {
	org := []string{"--workspace", "T0DEMO0001", "--org", "org17"}
	mustRun(t, "connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://org17.my.salesforce.com", "--as", "U0OWNER01")
	defer mustRun(t, append([]string{"connect", "disconnect", "--as", "U0OWNER01", "--yes"}, org...)...)
	c := decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...))
	if len(c.History) != 1 || !c.History[0].Unverified {
		t.Fatalf("history: %+v", c.History)
	}
	if text := mustRun(t, append([]string{"connect", "status"}, org...)...).out; !strings.Contains(text, "U0OWNER01 (unverified)") {
		t.Fatalf("the status does not mark the bare request:\n%s", text)
	}
}
