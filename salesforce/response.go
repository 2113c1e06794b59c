package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/orgurl"
)

// responseError turns a non-2xx answer into the error callers classify: a
// *DomainMovedError for a redirect to another My Domain, else an *APIError.
func (c *Client) responseError(op string, resp *http.Response, body []byte) error {
	if isRedirect(resp.StatusCode) {
		loc := resp.Header.Get("Location")
		if d, err := orgurl.Parse(loc); err == nil && d.Host != c.domain.Host && strings.HasPrefix(strings.ToLower(loc), "https://") {
			c.log.Warn("org answers from another My Domain", zap.String("op", op), zap.String("to", d.Host))
			return fmt.Errorf("salesforce %s on %s: %w", op, c.domain.Host, &DomainMovedError{From: c.base, To: d.URL()})
		}
		// Not a My Domain move: never followed, reported as it is.
		return &APIError{Op: op, Host: c.domain.Host, StatusCode: resp.StatusCode, Code: "REDIRECT",
			Message: "unexpected redirect to " + shorten(loc)}
	}
	code, msg := parseErrorBody(body)
	return c.apiError(op, resp, code, msg)
}

// apiError builds the *APIError of resp, with the Retry-After of a 429 or
// 503.
func (c *Client) apiError(op string, resp *http.Response, code, msg string) *APIError {
	e := &APIError{Op: op, Host: c.domain.Host, StatusCode: resp.StatusCode, Code: code, Message: msg}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// tokenError classifies a failure of the token endpoint (client credentials
// or code exchange) like any other answer, so that an IP restriction, a rate
// limit or a moved domain reads the same whichever call met it first.
func (c *Client) tokenError(op string, err error) error {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	if !ok || re.Response == nil {
		return fmt.Errorf("salesforce %s on %s: %w", op, c.domain.Host, err)
	}
	if isRedirect(re.Response.StatusCode) {
		return c.responseError(op, re.Response, re.Body)
	}
	code, msg := re.ErrorCode, re.ErrorDescription
	if code == "" {
		code, msg = parseErrorBody(re.Body)
	}
	return c.apiError(op, re.Response, code, msg)
}

// isRedirect says whether status is one of the redirects a moved My Domain
// answers with.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// parseErrorBody reads Salesforce's error bodies: the REST API's
// [{"message":…,"errorCode":…}], OAuth's {"error":…,"error_description":…},
// or, failing both, the start of the body as the message.
func parseErrorBody(body []byte) (code, msg string) {
	type restError struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	var list []restError
	if json.Unmarshal(body, &list) == nil && len(list) > 0 {
		return list[0].ErrorCode, list[0].Message
	}
	var obj struct {
		restError
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &obj) == nil {
		if obj.Error != "" {
			return obj.Error, obj.ErrorDescription
		}
		if obj.ErrorCode != "" {
			return obj.ErrorCode, obj.Message
		}
	}
	return "", shorten(strings.TrimSpace(string(body)))
}

// shorten shortens s for an error message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
