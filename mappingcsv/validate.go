package mappingcsv

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkValue returns what is wrong with a used value, or "". The checks are
// of shape only: whether the member exists is the job's question, asked
// once the whole file is known to be readable. Hand-written byte loops
// rather than regular expressions: they run on every row of a
// million-row file.
func checkValue(k Key, v string, maxBytes int) string {
	switch {
	case v == "":
		return "is empty: fill it in, or remove the row"
	case len(v) > maxBytes:
		return fmt.Sprintf("has %d bytes, more than the limit of %d: check the value", len(v), maxBytes)
	case !utf8.ValidString(v):
		return "is not UTF-8 text: save the file as CSV UTF-8"
	}
	switch k {
	case SlackUserID:
		if !isSlackUserID(v) {
			return fmt.Sprintf("has %q, which is not a Slack user id (U or W, then 8 to 11 capital letters or digits): correct it", v)
		}
	case SalesforceUserID:
		if !isSalesforceUserID(v) {
			return fmt.Sprintf("has %q, which is not a Salesforce user id (15 or 18 letters or digits starting with 005): correct it", v)
		}
	case SlackEmail, SalesforceEmail:
		if !isEmailShaped(v) {
			return fmt.Sprintf("has %q, which is not an email address (one @, text on both sides, no spaces): correct it", v)
		}
	case SalesforceUsername:
		// Salesforce usernames have the form of an email address.
		if !isEmailShaped(v) {
			return fmt.Sprintf("has %q, which is not a Salesforce username (they look like an email address): correct it", v)
		}
	}
	return ""
}

// isSlackUserID: U (workspace user) or W (Enterprise Grid user), then 8 to
// 11 capital letters or digits.
func isSlackUserID(v string) bool {
	if len(v) < 9 || len(v) > 12 || (v[0] != 'U' && v[0] != 'W') {
		return false
	}
	for i := 1; i < len(v); i++ {
		if c := v[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isSalesforceUserID: 005 is the User object's key prefix; ids are 15
// characters (case-sensitive) or 18 (with a case-folding suffix). The
// suffix's checksum is not verified: the sandbox's ids do not carry one.
func isSalesforceUserID(v string) bool {
	if (len(v) != 15 && len(v) != 18) || !strings.HasPrefix(v, "005") {
		return false
	}
	for i := 3; i < len(v); i++ {
		if c := v[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isEmailShaped: exactly one @ with something on either side, and no space
// or control character (they would only come from a broken file). Anything
// stricter refuses real addresses; the lookup in Slack or Salesforce is the
// real check.
func isEmailShaped(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.IndexByte(v[at+1:], '@') >= 0 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7F {
			return false
		}
	}
	return true
}
