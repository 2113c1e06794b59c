package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/salesforce"
)

// queryErr runs one query against a server whose API answers with h, and
// returns the error.
func queryErr(t *testing.T, h http.HandlerFunc) (*fakeOrgs, error) {
	t.Helper()
	f := newFakeOrgs(t, h)
	err := f.client("https://acme.my.salesforce.com").Query(context.Background(), "SELECT Id FROM User", 0,
		func([]json.RawMessage) error { return nil })
	if err == nil {
		t.Fatal("the query succeeded")
	}
	return f, err
}

func TestRateLimitedRetryAfterSeconds(t *testing.T) {
	_, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		restError(w, http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Too many requests")
	})
	if !errors.Is(err, salesforce.ErrRateLimited) || !salesforce.Retryable(err) {
		t.Errorf("%v: want ErrRateLimited, retryable", err)
	}
	if d, ok := salesforce.RetryAfter(err); !ok || d != 7*time.Second {
		t.Errorf("RetryAfter = %v, %v, want 7s", d, ok)
	}
	e, ok := errors.AsType[*salesforce.APIError](err)
	if !ok || e.StatusCode != 429 || e.Op != "Query" || e.Host != "acme.my.salesforce.com" {
		t.Errorf("APIError = %+v", e)
	}
}

func TestRateLimitedRetryAfterDate(t *testing.T) {
	at := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	_, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", at)
		w.WriteHeader(http.StatusTooManyRequests)
	})
	d, ok := salesforce.RetryAfter(err)
	if !ok || d < 80*time.Second || d > 91*time.Second {
		t.Errorf("RetryAfter(%s) = %v, %v, want about 90s", at, d, ok)
	}
	if !errors.Is(err, salesforce.ErrRateLimited) || !salesforce.Retryable(err) {
		t.Errorf("%v: want ErrRateLimited, retryable", err)
	}
}

func TestUnavailableIsRetryable(t *testing.T) {
	_, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>Service Unavailable</html>", http.StatusServiceUnavailable)
	})
	if !errors.Is(err, salesforce.ErrUnavailable) || !salesforce.Retryable(err) || errors.Is(err, salesforce.ErrRateLimited) {
		t.Errorf("%v: want ErrUnavailable, retryable", err)
	}
	if _, ok := salesforce.RetryAfter(err); ok {
		t.Error("a 503 without Retry-After reported one")
	}
	if !strings.Contains(err.Error(), "Service Unavailable") {
		t.Errorf("%q lost the body", err)
	}
}

func TestMalformedQueryIsNotRetryable(t *testing.T) {
	_, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		restError(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected token: FORM")
	})
	if salesforce.Retryable(err) {
		t.Errorf("%v is retryable", err)
	}
	want := "salesforce Query on acme.my.salesforce.com: HTTP 400 MALFORMED_QUERY: unexpected token: FORM"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	for _, s := range []error{salesforce.ErrNotFound, salesforce.ErrRateLimited, salesforce.ErrUnavailable, salesforce.ErrUnauthorized, salesforce.ErrIPRestricted} {
		if errors.Is(err, s) {
			t.Errorf("a malformed query is %v", s)
		}
	}
}

func TestIPRestrictedREST(t *testing.T) {
	_, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		restError(w, http.StatusForbidden, "LOGIN_IP_RESTRICTED", "Your IP address is not allowed")
	})
	checkIPRestricted(t, err)
}

func TestIPRestrictedToken(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) { t.Error("an API call without a token") })
	f.tokenFail = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "ip restricted"})
	}
	_, err := f.client("https://locked.my.salesforce.com").Organization(context.Background())
	checkIPRestricted(t, err)
	if e, ok := errors.AsType[*salesforce.APIError](err); !ok || e.Op != "Organization (token)" || e.Host != "locked.my.salesforce.com" {
		t.Errorf("APIError = %+v", e)
	}
}

func TestIPRestrictedCheckRefused(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) {
		restError(w, http.StatusForbidden, "LOGIN_IP_RESTRICTED", "Your IP address is not allowed")
	})
	restricted, err := f.client("https://locked.my.salesforce.com").IPRestricted(context.Background())
	if !restricted || !errors.Is(err, salesforce.ErrIPRestricted) {
		t.Errorf("IPRestricted = %v, %v; want true with the refusal", restricted, err)
	}
}

func checkIPRestricted(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, salesforce.ErrIPRestricted) || salesforce.Retryable(err) || errors.Is(err, salesforce.ErrUnauthorized) {
		t.Errorf("%v: want ErrIPRestricted only, not retryable", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "IP restrictions refuse the call") || !strings.Contains(msg, "turn off the org's IP restrictions for Slack") {
		t.Errorf("message %q does not explain the IP restriction and the advice", msg)
	}
}

func TestMovedDomain(t *testing.T) {
	f, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://acme2.my.salesforce.com"+r.URL.RequestURI())
		w.WriteHeader(http.StatusMovedPermanently)
	})
	moved, ok := errors.AsType[*salesforce.DomainMovedError](err)
	if !ok || moved.From != "https://acme.my.salesforce.com" || moved.To != "https://acme2.my.salesforce.com" {
		t.Fatalf("err = %v, want a DomainMovedError to acme2", err)
	}
	if salesforce.Retryable(err) {
		t.Error("a moved domain is retryable")
	}
	for _, r := range f.requests() {
		if r.Host != "acme.my.salesforce.com" {
			t.Errorf("the redirect was followed to %s", r.Host)
		}
	}
}

func TestMovedTokenEndpoint(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) { t.Error("an API call without a token") })
	f.tokenFail = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://acme2.lightning.force.com/services/oauth2/token", http.StatusPermanentRedirect)
	}
	_, err := f.client("https://acme.my.salesforce.com").Organization(context.Background())
	moved, ok := errors.AsType[*salesforce.DomainMovedError](err)
	if !ok || moved.To != "https://acme2.my.salesforce.com" {
		t.Fatalf("err = %v, want a DomainMovedError to acme2", err)
	}
}

func TestRedirectElsewhereIsAnAPIError(t *testing.T) {
	for _, loc := range []string{"https://evil.example/x", "/services/data/v62.0/query", "http://acme2.my.salesforce.com/", "https://acme.my.salesforce.com/other"} {
		f, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", loc)
			w.WriteHeader(http.StatusFound)
		})
		e, ok := errors.AsType[*salesforce.APIError](err)
		if !ok || e.StatusCode != http.StatusFound || salesforce.Retryable(err) {
			t.Errorf("redirect to %s: %v, want a non-retryable APIError", loc, err)
		}
		if _, moved := errors.AsType[*salesforce.DomainMovedError](err); moved {
			t.Errorf("redirect to %s counted as a moved My Domain", loc)
		}
		if n := len(f.apiRequests()); n != 1 {
			t.Errorf("redirect to %s: %d API requests, want 1 (not followed)", loc, n)
		}
	}
}

func TestSessionRefreshedOnce(t *testing.T) {
	f := newFakeOrgs(t, nil)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-2" {
			restError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
			return
		}
		records(w, 1, "", map[string]any{"Id": "005000000000001AAA", "Username": "admin@acme.example"})
	}
	u, err := f.client("https://acme.my.salesforce.com").FindUser(context.Background(), "admin@acme.example")
	if err != nil || u.Id != "005000000000001AAA" {
		t.Fatalf("FindUser = %+v, %v", u, err)
	}
	if n := f.tokens.Load(); n != 2 {
		t.Errorf("%d tokens issued, want 2 (one refresh)", n)
	}
	if n := len(f.apiRequests()); n != 2 {
		t.Errorf("%d API requests, want 2", n)
	}
}

func TestSessionRefusedTwiceIsUnauthorized(t *testing.T) {
	f, err := queryErr(t, func(w http.ResponseWriter, r *http.Request) {
		restError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
	})
	if !errors.Is(err, salesforce.ErrUnauthorized) || salesforce.Retryable(err) {
		t.Errorf("%v: want ErrUnauthorized, not retryable", err)
	}
	if n := len(f.apiRequests()); n != 2 {
		t.Errorf("%d API requests, want 2 (one retry)", n)
	}
}

func TestBadCredentialsAreUnauthorized(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) { t.Error("an API call without a token") })
	c, err := salesforce.NewFactory(salesforce.Config{ClientID: "cid", ClientSecret: "wrong", SandboxAddr: f.srv.Listener.Addr().String()}, nil).
		Org("https://acme.my.salesforce.com")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Organization(context.Background())
	if !errors.Is(err, salesforce.ErrUnauthorized) || salesforce.Retryable(err) || errors.Is(err, salesforce.ErrIPRestricted) {
		t.Errorf("%v: want ErrUnauthorized, not retryable", err)
	}
}

func TestNetworkErrorIsRetryable(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) {})
	c := f.client("https://acme.my.salesforce.com")
	f.srv.Close()
	_, err := c.Organization(context.Background())
	if err == nil || !salesforce.Retryable(err) || !strings.Contains(err.Error(), "acme.my.salesforce.com") {
		t.Errorf("%v: want a retryable error naming the org", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Organization(ctx)
	if err == nil || salesforce.Retryable(err) {
		t.Errorf("cancelled: %v, want not retryable", err)
	}
}

func TestRetryableNil(t *testing.T) {
	if salesforce.Retryable(nil) {
		t.Error("nil is retryable")
	}
	if _, ok := salesforce.RetryAfter(errors.New("x")); ok {
		t.Error("a plain error has a Retry-After")
	}
}
