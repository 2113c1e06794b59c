package orgurl

import (
	"fmt"
	"net"
	"strings"
	"unicode"
)

// maxInput bounds the input Parse looks at: no URL an admin types is longer,
// and refusing early keeps garbage cheap.
const maxInput = 2048

// Parse reads an org URL as a Slack admin types it and returns its My
// Domain. It tolerates surrounding spaces, upper case, a missing "https://",
// a trailing dot on the host, and any path, query or fragment (all dropped).
// It accepts the Lightning (NAME.lightning.force.com) and Setup
// (NAME.my.salesforce-setup.com) hosts of an org as that org's My Domain.
//
// Everything else is refused with an *Error whose Reason says what is wrong:
// http://, IP addresses, ports, user@host, hosts that are not a My Domain
// (login.salesforce.com, instance hosts such as na1.salesforce.com, and
// lookalikes such as acme.my.salesforce.com.evil.example), invalid My Domain
// names, and Government Cloud hosts (that error wraps ErrGovernmentCloud).
func Parse(raw string) (MyDomain, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return refuse(raw, "it is empty")
	case len(s) > maxInput:
		return refuse(raw, "it is too long to be an org URL")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0 || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return refuse(raw, "it contains spaces or control characters, so it is not a URL")
	}

	rest, reason := stripScheme(s)
	if reason != "" {
		return refuse(raw, reason)
	}
	host, reason := hostOf(rest)
	if reason != "" {
		return refuse(raw, reason)
	}
	if IsGovernmentCloudHost(host) {
		return MyDomain{}, &Error{
			Input:  raw,
			Reason: fmt.Sprintf("%s is a Salesforce Government Cloud org, and Government Cloud orgs cannot be connected to Slack", host),
			err:    ErrGovernmentCloud,
		}
	}
	return classify(raw, host)
}

// stripScheme removes "https://" (any case), or nothing when there is no
// scheme, and refuses every other scheme. It returns what follows the scheme.
func stripScheme(s string) (rest, reason string) {
	i := strings.Index(s, "://")
	if i < 0 {
		lower := strings.ToLower(s)
		// "https:acme…" or "http:/acme…" is a mistyped scheme, not a host
		// named "https".
		if strings.HasPrefix(lower, "https:") || strings.HasPrefix(lower, "http:") {
			return "", "its scheme is malformed; write it as https://"
		}
		// A scheme-relative "//host" is the host with https implied.
		return strings.TrimPrefix(s, "//"), ""
	}
	scheme := strings.ToLower(s[:i])
	switch {
	case scheme == "https":
		return s[i+3:], ""
	case scheme == "http":
		return "", "it uses http://, and Salesforce orgs are reached over https:// only"
	case scheme == "" || !isScheme(scheme):
		return "", "it is not a URL"
	default:
		return "", fmt.Sprintf("it uses the scheme %q, and only https:// is accepted", quoted(scheme))
	}
}

// isScheme says whether s is a syntactically valid URL scheme (RFC 3986).
func isScheme(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// hostOf extracts the lower-case host name from what follows the scheme, and
// refuses what an org URL never has there: user info, an IP address, a port,
// or characters no DNS name has.
func hostOf(rest string) (host, reason string) {
	// The authority ends at the first path, query or fragment delimiter.
	// A backslash counts as one too, because browsers treat it as "/":
	// "https://evil.example\.my.salesforce.com" must not read as a
	// Salesforce host here if a browser would not go there.
	authority := rest
	if i := strings.IndexAny(rest, "/?#\\"); i >= 0 {
		authority = rest[:i]
	}
	switch {
	case strings.Contains(authority, "@"):
		return "", "it contains a user name (user@host), which an org URL never has"
	case authority == "":
		return "", "it has no host name"
	case strings.HasPrefix(authority, "["):
		return "", "it is an IP address; an org is named by its My Domain, not an address"
	}
	host = authority
	if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		if isDigits(authority[i+1:]) {
			return "", "it names a port; a My Domain URL has none"
		}
		return "", "it has an invalid host name"
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if looksLikeIP(host) {
		return "", "it is an IP address; an org is named by its My Domain, not an address"
	}
	if !isHostName(host) {
		return "", "it has an invalid host name"
	}
	return host, ""
}

// isDigits says whether s is empty or all ASCII digits (an empty port, as in
// "host:", is still a port).
func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// looksLikeIP catches dotted IPv4 and the shorthand forms resolvers accept
// ("127.1", "0x7f.1"): a DNS name's last label is never all digits or hex
// with 0x.
func looksLikeIP(host string) bool {
	if net.ParseIP(host) != nil {
		return true
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	return isDigits(last) || strings.HasPrefix(last, "0x")
}

// isHostName says whether host is a syntactically valid lower-case DNS name
// in ASCII (RFC 1123): labels of letters, digits and hyphens, 1 to 63 long,
// not starting or ending with a hyphen. Internationalised names only reach
// here as punycode, which no Salesforce host uses anyway.
func isHostName(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
