package browser

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoPassword is the sandbox's password of every demo identity.
const demoPassword = "sfconnect-demo"

// stepTimeout bounds one step of a person: a page load and what it waits for.
const stepTimeout = 45 * time.Second

// person is one human in a browser context of their own (their cookies).
type person struct {
	t    *testing.T
	name string
	ctx  context.Context
}

func newPerson(t *testing.T, name string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, without a timeout
		t.Fatalf("%s: open a browser context: %v", name, err)
	}
	return &person{t: t, name: name, ctx: ctx}
}

func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.screenshot("failed-" + what)
		p.t.Fatalf("%s: %s: %v (at %s)", p.name, what, err, p.location())
	}
}

func (p *person) open(path string) {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = env.ConsoleURL + path
	}
	p.do("open "+path, chromedp.Navigate(u))
}

func (p *person) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// text is the visible text of the first element matching sel, waiting for it.
func (p *person) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.screenshot("failed-text")
		p.t.Fatalf("%s: read %s: %v (at %s)", p.name, sel, err, p.location())
	}
	return s
}

// see waits until the element sel shows want.
func (p *person) see(sel, want string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var got string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		got, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if strings.Contains(got, want) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.screenshot("failed-see")
	p.t.Fatalf("%s: %s shows %q, want %q (at %s)", p.name, sel, got, want, p.location())
}

// eval runs a script in the page (with its cookies) and returns its value.
func (p *person) eval(script string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	return v
}

// screenshot keeps the page as a PNG under SFCONNECT_SCREENSHOTS, when set.
func (p *person) screenshot(name string) {
	dir := os.Getenv("SFCONNECT_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// signInSlack goes through Sign in with Slack's page as a demo identity,
// from wherever the console sent the browser.
func (p *person) signInSlack(email string) {
	p.t.Helper()
	p.do("sign in with Slack as "+email,
		chromedp.WaitVisible(chromedp.CSS(`#login`)),
		chromedp.SetValue(chromedp.CSS(`#login`), email),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
}

// signInSalesforce goes through an org's login page as a demo identity,
// starting from the console's home page.
func (p *person) signInSalesforce(org, username string) {
	p.t.Helper()
	p.open("/")
	p.do("log in to "+org+" as "+username,
		chromedp.SetValue(chromedp.CSS(`#org`), org),
		chromedp.Submit(chromedp.CSS(`#org`)),
		chromedp.WaitVisible(chromedp.CSS(`#login`)),
		chromedp.SetValue(chromedp.CSS(`#login`), username),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
}

func (p *person) click(what, sel string) {
	p.t.Helper()
	p.do(what, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitReady(chromedp.CSS("main")))
}

// loopbackDialer dials the sandbox for every *.localhost host, as a
// browser resolves them, and the address asked for otherwise.
func loopbackDialer(sandboxURL string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	sandboxAddr := strings.TrimPrefix(sandboxURL, "http://")
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		if strings.HasSuffix(host, ".localhost") {
			addr = sandboxAddr
		}
		return d.DialContext(ctx, network, addr)
	}
}
