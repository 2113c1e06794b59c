package salesforce

import (
	"context"
	"net"
	"net/http"
	"time"
)

// newHTTPClient builds the one HTTP client every request goes through, token
// requests included (oauth2 gets it through its context key).
func newHTTPClient(cfg Config) *http.Client {
	var rt http.RoundTripper
	switch def, ok := http.DefaultTransport.(*http.Transport); {
	case cfg.SandboxAddr == "" && ok:
		rt = def.Clone()
	case cfg.SandboxAddr == "":
		// Someone replaced the default transport with a wrapper; a
		// fresh one with the standard proxy handling will do.
		rt = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	default:
		rt = sandboxTransport(cfg.SandboxAddr)
	}
	return &http.Client{
		Transport: rt,
		Timeout:   cfg.Timeout,
		// A redirect is information, not a detour: a moved My Domain must
		// be reported (DomainMovedError), and following a Location blindly
		// would send the bearer token wherever it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sandboxTransport dials addr whatever host a request names, and speaks
// plain HTTP to it, keeping the Host header, so that the sandbox can tell the
// orgs apart exactly as Salesforce's DNS would.
func sandboxTransport(addr string) http.RoundTripper {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return plainHTTP{next: &http.Transport{
		// No proxy: the sandbox is on loopback, and an HTTP_PROXY from
		// the environment would otherwise receive the My Domain host names.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		// Many activities talk to the same few orgs at once; the default
		// of 2 idle connections per host would make most of them redial.
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// plainHTTP turns https requests into http ones, leaving the host, for the
// sandbox, which serves no TLS.
type plainHTTP struct{ next http.RoundTripper }

// RoundTrip sends a copy of req with the scheme rewritten; a RoundTripper
// must not change the request it is given.
func (p plainHTTP) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return p.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = "http"
	return p.next.RoundTrip(r)
}
