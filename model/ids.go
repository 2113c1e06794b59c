package model

// The shapes of Slack's and Salesforce's ids, checked in one place: the CLI
// and the console refuse a malformed id before any call, and the
// workflows' validators with the same rule.

// IsTeamID reports a Slack workspace id: T, then capitals and digits.
func IsTeamID(s string) bool { return upperID(s, 'T', 3, 0) }

// IsEnterpriseID reports a Slack Enterprise org id: E, then capitals and
// digits.
func IsEnterpriseID(s string) bool { return upperID(s, 'E', 3, 0) }

// IsSlackUserID reports a Slack member id: U (or W, on Enterprise), then
// capitals and digits, 9 to 12 characters in all.
func IsSlackUserID(s string) bool { return upperID(s, 'U', 9, 12) || upperID(s, 'W', 9, 12) }

// IsOrgID reports a Salesforce org id: 00D, then letters and digits, 15 or
// 18 characters in all.
func IsOrgID(s string) bool {
	if (len(s) != 15 && len(s) != 18) || s[:3] != "00D" {
		return false
	}
	for _, r := range s[3:] {
		if !isDigit(r) && !isUpper(r) && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

// IsMyDomainName reports a My Domain name: lower-case letters and digits,
// in parts joined by one hyphen or, for a sandbox, two (acme, acme--uat).
func IsMyDomainName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	hyphens := 0
	for _, r := range s {
		switch {
		case r == '-':
			if hyphens++; hyphens > 2 {
				return false
			}
		case isDigit(r) || (r >= 'a' && r <= 'z'):
			hyphens = 0
		default:
			return false
		}
	}
	return true
}

// upperID reports s = prefix, then capitals and digits, of length min to
// max (no maximum when max is 0).
func upperID(s string, prefix byte, min, max int) bool {
	if len(s) < min || (max > 0 && len(s) > max) || s[0] != prefix {
		return false
	}
	for _, r := range s[1:] {
		if !isDigit(r) && !isUpper(r) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
