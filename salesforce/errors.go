package salesforce

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The classes of Salesforce refusals callers branch on. An *APIError matches
// them through errors.Is (see APIError.Is); FindUser's not found is
// ErrNotFound itself, wrapped.
var (
	// ErrNotFound: the object asked for does not exist (HTTP 404, or no
	// record where one was expected).
	ErrNotFound = errors.New("salesforce: not found")
	// ErrRateLimited: Salesforce asks the caller to slow down (HTTP 429,
	// or REQUEST_LIMIT_EXCEEDED when the org's API request limit is used
	// up). Retry later; RetryAfter says when if Salesforce did.
	ErrRateLimited = errors.New("salesforce: rate limited")
	// ErrUnavailable: Salesforce failed on its side (HTTP 5xx). Retry with
	// back-off.
	ErrUnavailable = errors.New("salesforce: unavailable")
	// ErrUnauthorized: the credentials or the session were refused (HTTP
	// 401 after one fresh token, or an OAuth refusal such as
	// invalid_client). Retrying does not help; the connected app's
	// credentials or the user's consent must change.
	ErrUnauthorized = errors.New("salesforce: unauthorized")
	// ErrIPRestricted: the org's IP restrictions refuse the product's calls
	// (LOGIN_IP_RESTRICTED, or a token refused with "ip restricted").
	ErrIPRestricted = errors.New("salesforce: the org's IP restrictions refuse the call; turn them off for Slack")
)

// APIError is a refusal from Salesforce: an HTTP status outside 2xx, with
// the error code and message Salesforce gave.
type APIError struct {
	Op         string        // the call: "Query", "FindUser", "token"…
	Host       string        // the org's My Domain host
	StatusCode int           // the HTTP status
	Code       string        // Salesforce's errorCode (REST) or error (OAuth), e.g. "MALFORMED_QUERY", "invalid_grant"
	Message    string        // Salesforce's message or error_description
	RetryAfter time.Duration // from the Retry-After header of a 429 or 503; 0 when absent
}

// Error says which call failed on which org and why; for an IP restriction
// it says so in words and advises turning the restriction off.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "salesforce %s on %s: ", e.Op, e.Host)
	if e.ipRestricted() {
		b.WriteString("the org's IP restrictions refuse the call (")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.ipRestricted() {
		b.WriteString("); turn off the org's IP restrictions for Slack (Setup > Network Access, and the Login IP Ranges of the integration user's profile)")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRateLimited) and its kin true for the
// APIErrors of that class.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.Code == "NOT_FOUND"
	case ErrRateLimited:
		return e.rateLimited()
	case ErrUnavailable:
		return e.StatusCode >= 500
	case ErrUnauthorized:
		return !e.ipRestricted() && (e.StatusCode == http.StatusUnauthorized || oauthRefusals[e.Code])
	case ErrIPRestricted:
		return e.ipRestricted()
	}
	return false
}

// oauthRefusals are the OAuth error codes that mean the credentials, the
// code or the user's consent were refused.
var oauthRefusals = map[string]bool{
	"invalid_client":      true,
	"invalid_client_id":   true,
	"unauthorized_client": true,
	"invalid_grant":       true,
	"access_denied":       true,
	"inactive_user":       true,
	"inactive_org":        true,
}

// ipRestricted recognises both forms of the refusal: the REST API's error
// code, and the token endpoint's invalid_grant whose description is
// "ip restricted".
func (e *APIError) ipRestricted() bool {
	return e.Code == "LOGIN_IP_RESTRICTED" ||
		e.Code == "invalid_grant" && strings.Contains(strings.ToLower(e.Message), "ip restricted")
}

// rateLimited covers the per-second 429 and the org's daily request limit,
// which Salesforce reports as 403 REQUEST_LIMIT_EXCEEDED.
func (e *APIError) rateLimited() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.Code == "REQUEST_LIMIT_EXCEEDED"
}

// DomainMovedError says the org answered from another My Domain: its URL
// changed, and the connection must be updated to To (SPEC rule 4).
type DomainMovedError struct {
	From string // the My Domain URL asked, "https://acme.my.salesforce.com"
	To   string // the My Domain URL it moved to, "https://acme2.my.salesforce.com"
}

// Error says where the org went and what to do.
func (e *DomainMovedError) Error() string {
	return fmt.Sprintf("salesforce: the org at %s now answers at %s; its My Domain changed, so the connection's org URL must be updated", e.From, e.To)
}
