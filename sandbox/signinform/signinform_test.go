package signinform_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox/signinform"
)

// A page unlike the sandbox's: GET form with a relative action, a search
// box before the login, a checkbox, a named default button, a second
// button that must not be pressed.
const otherPage = `<!doctype html><title>Other IdP</title>
<form><input name="q" type="text" value="search"></form>
<form method="get" action="login/submit">
  <input type="hidden" name="ctx" value="a&amp;b">
  <input name="nickname" type="text" value="keep">
  <input name="user" type="email" autocomplete="username">
  <input name="secret" type="password">
  <input name="remember" type="checkbox" checked>
  <input name="marketing" type="checkbox" value="yes">
  <input name="off" type="text" value="x" disabled>
  <button name="go" value="login">Log in</button>
  <button name="go" value="cancel">Cancel</button>
</form>`

func TestSignInReadsTheFormAsABrowserWould(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/idp/authorize":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, otherPage)
		case "/idp/login/submit":
			got = r.URL.Query()
			http.Redirect(w, r, "https://app.example/cb?code=c1&state=s", http.StatusSeeOther)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	// A client that follows redirects: SignIn must not, or it would visit
	// app.example.
	loc, err := signinform.SignIn(context.Background(), srv.Client(), srv.URL+"/idp/authorize", "ada@example.com", "pw!")
	if err != nil {
		t.Fatal(err)
	}
	if loc.String() != "https://app.example/cb?code=c1&state=s" {
		t.Errorf("came back to %s", loc)
	}
	want := url.Values{"ctx": {"a&b"}, "nickname": {"keep"}, "user": {"ada@example.com"}, "secret": {"pw!"}, "remember": {"on"}, "go": {"login"}}
	if got.Encode() != want.Encode() {
		t.Errorf("submitted %v, want %v", got, want)
	}
}

func TestSignInReportsThePage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirects":
			http.Redirect(w, r, "/cb?error=access_denied", http.StatusFound)
		case "/login":
			w.Header().Set("Content-Type", "text/html")
			if r.Method == http.MethodPost {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `<title>Sign in</title><p role="alert">  Wrong
				password. </p><form method="post"><input name="u"><input type="password" name="p"></form>`)
				return
			}
			fmt.Fprint(w, `<form method="post"><input name="u"><input type="password" name="p"></form>`)
		case "/broken":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<title>Bad request</title><h1>Nope</h1>`)
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"error":"x"}`)
		case "/noform":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<p>Welcome</p>`)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	loc, err := signinform.SignIn(ctx, nil, srv.URL+"/redirects", "u", "p")
	if err != nil || loc.String() != srv.URL+"/cb?error=access_denied" {
		t.Errorf("a redirect before any form: %v %v", loc, err)
	}
	for path, want := range map[string]signinform.PageError{
		"/login":  {Status: http.StatusUnauthorized, Message: "Wrong password."},
		"/broken": {Status: http.StatusBadRequest, Message: "Bad request"},
		"/json":   {Status: http.StatusOK, Message: `not an HTML page (application/json): {"error":"x"}`},
	} {
		_, err := signinform.SignIn(ctx, srv.Client(), srv.URL+path, "u", "p")
		pe, ok := errors.AsType[*signinform.PageError](err)
		if !ok || pe.Status != want.Status || pe.Message != want.Message || pe.URL == "" {
			t.Errorf("%s: %#v", path, err)
		}
	}
	if _, err := signinform.SignIn(ctx, srv.Client(), srv.URL+"/noform", "u", "p"); !errors.Is(err, signinform.ErrNoForm) {
		t.Errorf("no form: %v", err)
	}
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	if _, err := signinform.SignIn(ctx, srv.Client(), gone.URL+"/x", "u", "p"); err == nil {
		t.Error("an unreachable page signed in")
	}
}
