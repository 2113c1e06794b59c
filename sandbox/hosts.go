package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The Host header is the only thing that tells the surfaces' hosts apart:
// the product dials the sandbox's address for every Salesforce host and
// keeps the My Domain in Host, and a browser, which cannot be told to dial
// another address, reaches a My Domain as <my domain>.localhost (browsers
// resolve every *.localhost name to loopback). This file is the one place
// that reads Host.

// LocalhostSuffix is what a browser-facing address adds to a My Domain host
// to reach that org on the sandbox: acme.my.salesforce.com.localhost:7070.
const LocalhostSuffix = ".localhost"

// reqHost is a request's Host, taken apart.
type reqHost struct {
	// name is the host name, lower-cased, without its port, its trailing
	// dot or the .localhost suffix: the My Domain, or the bare address.
	name string
	// port is ":7070", or "" when Host named none.
	port string
	// viaLocalhost is true when Host carried the .localhost suffix: a
	// browser, whose links must keep that form.
	viaLocalhost bool
}

func parseHost(r *http.Request) reqHost {
	h, port := r.Host, ""
	if host, p, err := net.SplitHostPort(h); err == nil {
		h, port = host, ":"+p
	}
	h = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
	name, via := strings.CutSuffix(h, LocalhostSuffix)
	if !via || name == "" {
		// "localhost" itself is the bare address, not a My Domain.
		return reqHost{name: h, port: port}
	}
	return reqHost{name: name, port: port, viaLocalhost: true}
}

// requestHost returns the request's host name as My Domains are compared:
// lower-cased, without port and without the browser's .localhost suffix.
func requestHost(r *http.Request) string { return parseHost(r).name }

// isBareAddress reports whether host is the sandbox's own address rather
// than a My Domain: Salesforce requests to it reach the default org, and
// Sign in with Slack is served there.
func isBareAddress(host string) bool {
	return host == "" || host == "localhost" || net.ParseIP(host) != nil
}

// browserBase is the scheme and authority under which the client of r
// reaches the My Domain host: the .localhost form over plain HTTP when r
// came that way (a browser), else https://host (the product, whose
// transport turns it into plain HTTP to the sandbox).
func browserBase(r *http.Request, host string) string {
	if h := parseHost(r); h.viaLocalhost {
		return "http://" + host + LocalhostSuffix + h.port
	}
	return "https://" + host
}

// isOrgHost reports whether host is, or was before a rename, an org's My
// Domain.
func (s *Sandbox) isOrgHost(host string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hosts[host] != nil || s.formerHosts[host] != nil
}

// BrowserURL turns a Salesforce My Domain URL (https://acme.my.salesforce.com/…)
// into the address at which a browser reaches it on a sandbox listening on
// sandboxAddr ("127.0.0.1:7070"): http://acme.my.salesforce.com.localhost:7070/…,
// path and query kept. The product's own HTTP clients need no such thing:
// they dial the sandbox for every host.
func BrowserURL(rawURL, sandboxAddr string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("sandbox browser URL of %q: %w", rawURL, err)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("sandbox browser URL of %q: no host", rawURL)
	}
	_, port, err := net.SplitHostPort(sandboxAddr)
	if err != nil {
		return "", fmt.Errorf("sandbox browser URL: sandbox address %q: %w", sandboxAddr, err)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), LocalhostSuffix)
	u.Scheme = "http"
	u.Host = host + LocalhostSuffix + ":" + port
	return u.String(), nil
}
