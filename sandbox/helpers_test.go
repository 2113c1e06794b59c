package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

// newServer starts a sandbox behind a real HTTP listener.
func newServer(t *testing.T) (*sandbox.Sandbox, *httptest.Server) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Seed: 42})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return sb, srv
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// sfRequest sends a request to the sandbox with the Host header naming a
// My Domain ("" leaves the bare address).
type sfRequest struct {
	method string
	host   string
	path   string // with query
	token  string
	form   url.Values
	header map[string]string
}

func do(t *testing.T, srv *httptest.Server, r sfRequest) (*http.Response, []byte) {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.host != "" {
		req.Host = r.host
	}
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// clientCredentials gets an integration-user token for the org at host.
func clientCredentials(t *testing.T, srv *httptest.Server, host string) string {
	t.Helper()
	resp, b := do(t, srv, sfRequest{method: http.MethodPost, host: host, path: "/services/oauth2/token",
		form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"id"}, "client_secret": {"secret"}}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	mustJSON(t, b, &tok)
	return tok.AccessToken
}

type queryResult struct {
	TotalSize      int                      `json:"totalSize"`
	Done           bool                     `json:"done"`
	NextRecordsURL string                   `json:"nextRecordsUrl"`
	Records        []map[string]interface{} `json:"records"`
}

type sfErr struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// soql runs a query and decodes a successful answer.
func soql(t *testing.T, srv *httptest.Server, host, token, q string) queryResult {
	t.Helper()
	resp, b := do(t, srv, sfRequest{host: host, token: token, path: "/services/data/v62.0/query?q=" + url.QueryEscape(q)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("query %q: %d %s", q, resp.StatusCode, b)
	}
	var res queryResult
	mustJSON(t, b, &res)
	return res
}

// soqlError runs a query that must fail and returns its status and code.
func soqlError(t *testing.T, srv *httptest.Server, token, q string) (int, string) {
	t.Helper()
	resp, b := do(t, srv, sfRequest{token: token, path: "/services/data/v62.0/query?q=" + url.QueryEscape(q)})
	var errs []sfErr
	mustJSON(t, b, &errs)
	if len(errs) != 1 {
		t.Fatalf("query %q: want one error, got %s", q, b)
	}
	return resp.StatusCode, errs[0].ErrorCode
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// doJSON sends a JSON body to the control API.
func doJSON(t *testing.T, srv *httptest.Server, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func postJSON(t *testing.T, srv *httptest.Server, path, body string) (*http.Response, []byte) {
	t.Helper()
	return doJSON(t, srv, http.MethodPost, path, body)
}

// browserClient reaches every host at srv, over plain HTTP, keeping the
// host in the request (as salesforce's sandbox transport and a browser on
// *.localhost do), and follows no redirect.
func browserClient(srv *httptest.Server) *http.Client {
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}}
	return &http.Client{
		Transport:     plainHTTP{tr},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// plainHTTP sends https requests as http ones, the host kept.
type plainHTTP struct{ next http.RoundTripper }

func (p plainHTTP) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return p.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = "http"
	return p.next.RoundTrip(r)
}
