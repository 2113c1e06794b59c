package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/sfclient"
)

// newTestServer is a console with no Temporal behind it: enough for what
// happens before any workflow is asked.
func newTestServer(t *testing.T, base string) *Server {
	t.Helper()
	key := []byte("0123456789abcdef0123456789abcdef")
	signer, err := identity.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{
		BaseURL: base, Client: &sfclient.Client{}, Signer: signer,
		Slack:       SlackApp{Issuer: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s"},
		FormTargets: []string{"http://127.0.0.1:7070"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("home: %d", rec.Code)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'", "form-action 'self' http://127.0.0.1:7070"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if rec.Header().Get("X-Frame-Options") != "DENY" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", rec.Header())
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Error("the home page has an inline script")
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	req := httptest.NewRequest(http.MethodPost, "/slack/orgs", strings.NewReader("org_url=https://acme.my.salesforce.com"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "another site") {
		t.Fatalf("cross-site POST: %d %q", rec.Code, rec.Body.String())
	}
	req = httptest.NewRequest(http.MethodPost, "/slack/orgs", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Host = "127.0.0.1:8088"
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d", rec.Code)
	}
}

func TestSignedOutPagesSendToSignIn(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/orgs/00D000000000001AAA?tab=users", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("signed out: %d", rec.Code)
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if loc.Path != "/auth/slack/login" || loc.Query().Get("next") != "/slack/orgs/00D000000000001AAA?tab=users" {
		t.Fatalf("sent to %s", loc)
	}
	// A POST without a session changes nothing and says so.
	req := httptest.NewRequest(http.MethodPost, "/slack/orgs/00D000000000001AAA/activate", nil)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("signed-out POST: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/salesforce/00D000000000001AAA/approve", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("signed-out approve: %d", rec.Code)
	}
}

func TestForgedCallbacksAreRefused(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	for _, path := range []string{SlackCallbackPath, SalesforceCallbackPath} {
		// No sign-in started here: a callback with any code is refused.
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?code=forged&state=forged", nil))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "not started here") {
			t.Errorf("%s without a flow: %d %q", path, rec.Code, rec.Body.String())
		}
		// A sign-in started here, answered with another state.
		f := newFlow(flowSlack, "/")
		if path == SalesforceCallbackPath {
			f.Kind = flowSalesforce
		}
		w := httptest.NewRecorder()
		if err := s.saveFlow(w, f); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, path+"?code=c&state=other", nil)
		for _, c := range w.Result().Cookies() {
			req.AddCookie(c)
		}
		rec = httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "state mismatch") {
			t.Errorf("%s with another state: %d %q", path, rec.Code, rec.Body.String())
		}
	}
}

func TestCookiesAreSealedAndScoped(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	w := httptest.NewRecorder()
	if err := s.saveSession(w, session{Slack: &SlackUser{Team: "T0DEMO0001", User: "U0OWNER01"}}); err != nil {
		t.Fatal(err)
	}
	c := w.Result().Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Errorf("loopback session cookie: %+v", c)
	}
	if strings.Contains(c.Value, "U0OWNER01") {
		t.Error("the session cookie shows its content")
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	if got := s.session(req); got.Slack == nil || got.Slack.User != "U0OWNER01" {
		t.Fatalf("session read back: %+v", got)
	}
	// Tampered: reads as signed out.
	bad := *c
	bad.Value = c.Value[:len(c.Value)-4] + "AAAA"
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&bad)
	if got := s.session(req); got.Slack != nil {
		t.Fatal("a tampered cookie was accepted")
	}
	// A flow cookie is not a session.
	w = httptest.NewRecorder()
	_ = s.saveFlow(w, newFlow(flowSlack, "/"))
	fc := *w.Result().Cookies()[0]
	fc.Name = sessionCookie
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&fc)
	if got := s.session(req); got.Slack != nil || !got.Started.IsZero() {
		t.Fatal("a flow cookie was read as a session")
	}
	// Expired: signed out.
	later := newTestServer(t, "http://127.0.0.1:8088")
	later.cookies.now = func() time.Time { return time.Now().Add(sessionTTL + time.Minute) }
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	if got := later.session(req); got.Slack != nil {
		t.Fatal("an expired session was accepted")
	}
	// Served over HTTPS, cookies are Secure.
	prod := newTestServer(t, "https://sfconnect.example.com")
	w = httptest.NewRecorder()
	_ = prod.saveSession(w, session{})
	if !w.Result().Cookies()[0].Secure {
		t.Error("an HTTPS console's cookie is not Secure")
	}
}

func TestNoOpenRedirects(t *testing.T) {
	for in, want := range map[string]string{
		"/slack/orgs":           "/slack/orgs",
		"/slack/orgs?tab=users": "/slack/orgs?tab=users",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"":                      "/",
		"javascript:alert(1)":   "/",
		"/ok/../x":              "/ok/../x",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:53211/callback": true,
		"http://localhost:4000/":          true,
		"http://[::1]:4000/cb":            true,
		"http://127.0.0.1/callback":       false, // no port: not the CLI's listener
		"https://127.0.0.1:443/":          false,
		"http://evil.example:4000/":       false,
		"http://user@127.0.0.1:4000/":     false,
	} {
		if got := loopbackRedirect(raw); got != ok {
			t.Errorf("loopbackRedirect(%q) = %v", raw, got)
		}
	}
}

func TestUploadsAreBounded(t *testing.T) {
	s := newTestServer(t, "http://127.0.0.1:8088")
	s.opts.MaxUpload, s.opts.UploadDir = 1<<10, t.TempDir()
	path, err := s.spool(strings.NewReader(strings.Repeat("x", 1<<10)))
	if err != nil {
		t.Fatalf("an upload at the limit: %v", err)
	}
	if _, err := s.spool(strings.NewReader(strings.Repeat("x", 1<<10+1))); err != errTooLarge {
		t.Fatalf("an upload over the limit: %v", err)
	}
	if msg := uploadError(errTooLarge, s.opts.MaxUpload); !strings.Contains(msg, "split it") {
		t.Errorf("message: %q", msg)
	}
	entries, _ := os.ReadDir(s.opts.UploadDir)
	if len(entries) != 1 || filepath.Join(s.opts.UploadDir, entries[0].Name()) != path {
		t.Errorf("the refused upload was kept: %v", entries)
	}
}
