package sandbox_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

// What a person sees and does on both sign-in pages, checked on the HTML:
// the form, the demo identities, the error page, Cancel, and that nothing
// the request reflects can inject markup.

// signInPages are the two pages, by name: their address for a request with
// query q (response_type, client_id… as given).
var signInPages = map[string]func(srv *httptest.Server, q url.Values) string{
	"slack": func(srv *httptest.Server, q url.Values) string {
		return srv.URL + "/openid/connect/authorize?" + q.Encode()
	},
	"salesforce": func(_ *httptest.Server, q url.Values) string {
		return "https://acme.my.salesforce.com/services/oauth2/authorize?" + q.Encode()
	},
}

func validQuery() url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {"cid"}, "redirect_uri": {redirectURI},
		"state": {"st-7"}, "scope": {"openid email profile"}, "nonce": {"n-7"}}
}

func getPage(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestSignInPagesShowTheFormAndTheDemoIdentities(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for name, want := range map[string][]string{
		"slack": {"<title>Sign in to Slack</title>", `name="email"`, `type="password"`, "Cancel",
			"admin@demo.example", "Demo Admin", "Demo (T0DEMO0001)", "Workspace Admin", "sfadmin@demo.example", "Salesforce system administrator",
			"owner@enterprise.example", "Org Owner", sandbox.DemoPassword},
		"salesforce": {"<title>Log in to acme.my.salesforce.com</title>", `name="username"`, `name="pw"`, "Cancel",
			"admin@acme.example", "<td>System Administrator</td>", "inactive.admin@acme.example", "inactive: cannot log in", sandbox.DemoPassword},
	} {
		resp, body := getPage(t, browser, signInPages[name](srv, validQuery()))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s page lacks %q", name, w)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "integration@acme.example") || strings.Contains(body, "UB0DEMO0001") {
			t.Errorf("%s page has a script, or lists an identity that cannot sign in", name)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s headers: %v", name, resp.Header)
		}
		// The hidden fields carry the request, exactly.
		hidden := hiddenInputs(t, body)
		for _, k := range []string{"response_type", "client_id", "redirect_uri", "state", "scope", "nonce"} {
			if hidden.Get(k) != validQuery().Get(k) {
				t.Errorf("%s: hidden %s = %q", name, k, hidden.Get(k))
			}
		}
	}
	// Salesforce pre-fills the username from login_hint.
	q := validQuery()
	q.Set("login_hint", "user@acme.example")
	if _, body := getPage(t, browser, signInPages["salesforce"](srv, q)); !strings.Contains(body, `value="user@acme.example"`) {
		t.Errorf("login_hint not pre-filled")
	}
	// The Slack page for a team lists that workspace only.
	q = validQuery()
	q.Set("team", sandbox.DemoTeam2ID)
	if _, body := getPage(t, browser, signInPages["slack"](srv, q)); !strings.Contains(body, "member21@demo-two.example") || strings.Contains(body, "admin@demo.example") {
		t.Errorf("the team's page lists other workspaces")
	}
}

func TestSignInPagesRefuseBadRedirectURIsWithAPage(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for name, page := range signInPages {
		for _, bad := range []string{"", "/callback", "app.example/cb", "javascript:alert(1)", "https://app.example/cb#frag"} {
			q := validQuery()
			q.Set("redirect_uri", bad)
			resp, body := getPage(t, browser, page(srv, q))
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s, redirect_uri %q: %d Location %q", name, bad, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
}

func TestSignInPagesSendOtherErrorsBack(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for _, c := range []struct {
		page, param, value, want string
	}{
		{"slack", "response_type", "token", "unsupported_response_type"},
		{"slack", "client_id", "", "invalid_request"},
		{"slack", "scope", "email profile", "invalid_scope"},
		{"salesforce", "response_type", "token", "unsupported_response_type"},
		{"salesforce", "client_id", "", "invalid_client_id"},
	} {
		q := validQuery()
		q.Set(c.param, c.value)
		resp, _ := getPage(t, browser, signInPages[c.page](srv, q))
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirectURI+"?") ||
			loc.Query().Get("error") != c.want || loc.Query().Get("state") != "st-7" {
			t.Errorf("%s %s=%q: %d %s", c.page, c.param, c.value, resp.StatusCode, loc)
		}
	}
}

func TestSignInPagesCancel(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for name, page := range signInPages {
		pageURL := page(srv, validQuery())
		_, body := getPage(t, browser, pageURL)
		form := hiddenInputs(t, body)
		btn := findNode(t, body, func(n *html.Node) bool { return n.DataAtom == atom.Button && textOf(n) == "Cancel" })
		form.Set(attrOf(btn, "name"), attrOf(btn, "value"))
		action, _ := url.Parse(pageURL)
		action, _ = action.Parse(attrOf(findNode(t, body, func(n *html.Node) bool { return n.DataAtom == atom.Form }), "action"))
		resp, err := browser.PostForm(action.String(), form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-7" || loc.Query().Has("code") {
			t.Errorf("%s cancel: %d %s", name, resp.StatusCode, loc)
		}
	}
}

func TestSignInPagesEscapeWhatTheyReflect(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	const evil = `"><script>alert(1)</script>`
	for name, page := range signInPages {
		q := validQuery()
		q.Set("state", evil)
		q.Set("client_id", "<b>cid</b>")
		resp, body := getPage(t, browser, page(srv, q))
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "<script") || strings.Contains(body, "<b>cid") {
			t.Errorf("%s: reflected markup unescaped:\n%s", name, body)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: the state is not on the page, escaped", name)
		}
		// The state still round-trips exactly, through a failed login
		// (which reflects the login typed in) and a good one.
		login := map[string]string{"slack": "admin@demo.example", "salesforce": "admin@acme.example"}[name]
		_, err := signinform.SignIn(context.Background(), browser, page(srv, q), `<img src=x>`+login, sandbox.DemoPassword)
		if err == nil || strings.Contains(err.Error(), "<img") {
			t.Errorf("%s: a bad login: %v", name, err)
		}
		loc, err := signinform.SignIn(context.Background(), browser, page(srv, q), login, sandbox.DemoPassword)
		if err != nil || loc.Query().Get("state") != evil || loc.Query().Get("code") == "" {
			t.Errorf("%s: %v %v", name, loc, err)
		}
	}
	// The error page escapes the redirect_uri it names.
	q := validQuery()
	q.Set("redirect_uri", `<script>x</script>`)
	if _, body := getPage(t, browser, signInPages["slack"](srv, q)); strings.Contains(body, "<script") {
		t.Errorf("error page reflects markup")
	}
}

func TestSignInFormRefusalKeepsTheLogin(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	browser := browserClient(srv)
	for name, c := range map[string]struct{ field, login string }{
		"slack":      {"email", "admin@demo.example"},
		"salesforce": {"username", "admin@acme.example"},
	} {
		pageURL := signInPages[name](srv, validQuery())
		_, body := getPage(t, browser, pageURL)
		form := hiddenInputs(t, body)
		form.Set(c.field, c.login)
		form.Set(map[string]string{"slack": "password", "salesforce": "pw"}[name], "wrong")
		action, _ := url.Parse(pageURL)
		action, _ = action.Parse(attrOf(findNode(t, body, func(n *html.Node) bool { return n.DataAtom == atom.Form }), "action"))
		resp, err := browser.PostForm(action.String(), form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		login := findNode(t, page, func(n *html.Node) bool { return n.DataAtom == atom.Input && attrOf(n, "name") == c.field })
		if resp.StatusCode != http.StatusUnauthorized || attrOf(login, "value") != c.login || !strings.Contains(page, `role="alert"`) {
			t.Errorf("%s: %d, login field %q", name, resp.StatusCode, attrOf(login, "value"))
		}
	}
}

func TestSignInFormsRefuseCrossSitePosts(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	for name, c := range map[string]struct{ path, host string }{
		"slack":      {"/openid/connect/authorize", ""},
		"salesforce": {"/services/oauth2/authorize", "acme.my.salesforce.com"},
	} {
		form := validQuery()
		form.Set("email", "admin@demo.example")
		form.Set("username", "admin@acme.example")
		form.Set("password", sandbox.DemoPassword)
		form.Set("pw", sandbox.DemoPassword)
		for _, header := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			resp, _ := do(t, srv, sfRequest{method: http.MethodPost, host: c.host, path: c.path, form: form, header: header})
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
				t.Errorf("%s with %v: %d %s", name, header, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		// The same form from the page itself signs in.
		resp, _ := do(t, srv, sfRequest{method: http.MethodPost, host: c.host, path: c.path, form: form, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
			t.Errorf("%s same-origin: %d %s", name, resp.StatusCode, loc)
		}
	}
}

// hiddenInputs reads a page's hidden fields.
func hiddenInputs(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	walkNodes(parseHTML(t, body), func(n *html.Node) {
		if n.DataAtom == atom.Input && attrOf(n, "type") == "hidden" {
			v.Add(attrOf(n, "name"), attrOf(n, "value"))
		}
	})
	return v
}

func parseHTML(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func findNode(t *testing.T, body string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	var found *html.Node
	walkNodes(parseHTML(t, body), func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && match(n) {
			found = n
		}
	})
	if found == nil {
		t.Fatalf("no such element in:\n%s", body)
	}
	return found
}

func walkNodes(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkNodes(c, visit)
	}
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walkNodes(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}
