package salesforce_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/sfconnect/sfconnect/salesforce"
)

// seen is what the test server was sent.
type seen struct {
	Method, Host, Path, RawQuery, Auth string
	Header                             http.Header
	Form                               url.Values
	TLS                                bool
}

// fakeOrgs is a test server speaking Salesforce's wire format. Every test
// supplies its own API handler; the token endpoint is shared: it issues
// "tok-1", "tok-2"… unless tokenFail says otherwise.
type fakeOrgs struct {
	t   *testing.T
	srv *httptest.Server
	api http.HandlerFunc

	// tokenFail, when set, answers the token endpoint instead.
	tokenFail http.HandlerFunc
	tokens    atomic.Int32

	mu   sync.Mutex
	reqs []seen
}

// newFakeOrgs starts a plain HTTP server whose API surface is api.
func newFakeOrgs(t *testing.T, api http.HandlerFunc) *fakeOrgs {
	t.Helper()
	f := &fakeOrgs{t: t, api: api}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOrgs) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("ParseForm: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{
		Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Auth: r.Header.Get("Authorization"), Header: r.Header.Clone(), Form: r.PostForm, TLS: r.TLS != nil,
	})
	f.mu.Unlock()
	if r.URL.Path == "/services/oauth2/token" && r.PostForm.Get("grant_type") == "client_credentials" {
		if f.tokenFail != nil {
			f.tokenFail(w, r)
			return
		}
		if r.PostForm.Get("client_id") != "cid" || r.PostForm.Get("client_secret") != "secret" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
			return
		}
		n := f.tokens.Add(1)
		writeJSON(w, http.StatusOK, map[string]string{
			"access_token": fmt.Sprintf("tok-%d", n),
			"instance_url": "https://" + r.Host,
			"id":           "https://" + r.Host + "/id/00D000000000001AAA/005000000000009AAA",
			"token_type":   "Bearer",
			"issued_at":    fmt.Sprint(time.Now().UnixMilli()),
			"signature":    "sig",
		})
		return
	}
	f.api(w, r)
}

// requests returns what the server was sent so far.
func (f *fakeOrgs) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// apiRequests returns the requests other than token requests.
func (f *fakeOrgs) apiRequests() []seen {
	var out []seen
	for _, r := range f.requests() {
		if r.Path != "/services/oauth2/token" {
			out = append(out, r)
		}
	}
	return out
}

// factory returns a Factory that dials the test server for every host.
func (f *fakeOrgs) factory() *salesforce.Factory {
	return salesforce.NewFactory(salesforce.Config{
		ClientID:     "cid",
		ClientSecret: "secret",
		SandboxAddr:  f.srv.Listener.Addr().String(),
		Timeout:      5 * time.Second,
	}, zaptest.NewLogger(f.t))
}

// client returns the Client of the org at myDomainURL.
func (f *fakeOrgs) client(myDomainURL string) *salesforce.Client {
	f.t.Helper()
	c, err := f.factory().Org(myDomainURL)
	if err != nil {
		f.t.Fatalf("Org(%q): %v", myDomainURL, err)
	}
	return c
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// restError answers Salesforce's REST error body.
func restError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, []map[string]string{{"errorCode": code, "message": msg}})
}

// records answers one query page.
func records(w http.ResponseWriter, total int, next string, recs ...map[string]any) {
	for _, r := range recs {
		r["attributes"] = map[string]string{"type": "User", "url": "/services/data/v62.0/sobjects/User/x"}
	}
	page := map[string]any{"totalSize": total, "done": next == "", "records": recs}
	if next != "" {
		page["nextRecordsUrl"] = next
	}
	if recs == nil {
		page["records"] = []any{}
	}
	writeJSON(w, http.StatusOK, page)
}
