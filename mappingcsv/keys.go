package mappingcsv

import "strings"

// Key says which value identifies a member on one side of the mapping, and
// so which column of the import holds it. The order of the constants is the
// order of preference when a file has several candidate columns for a side.
type Key int

// The keys. Slack members are identified by user id or email; Salesforce
// users by user id, username or email.
const (
	SlackUserID Key = iota
	SlackEmail
	SalesforceUserID
	SalesforceUsername
	SalesforceEmail
)

// String returns the key's canonical column name, as in SPEC section 5.
func (k Key) String() string {
	switch k {
	case SlackUserID:
		return "slack_user_id"
	case SlackEmail:
		return "slack_email"
	case SalesforceUserID:
		return "salesforce_user_id"
	case SalesforceUsername:
		return "salesforce_username"
	case SalesforceEmail:
		return "salesforce_email"
	}
	return "unknown"
}

// slackKeys and salesforceKeys list each side's keys in order of preference.
var (
	slackKeys      = []Key{SlackUserID, SlackEmail}
	salesforceKeys = []Key{SalesforceUserID, SalesforceUsername, SalesforceEmail}
)

// columnNames maps a normalised header name to its key. It is built from
// prefixes and suffixes, so that every spelling of one side pairs with every
// spelling of one kind of value; see the package doc for the list.
var columnNames = func() map[string]Key {
	m := map[string]Key{}
	add := func(prefixes, suffixes []string, k Key) {
		for _, p := range prefixes {
			for _, s := range suffixes {
				m[p+s] = k
			}
		}
	}
	slack := []string{"slack"}
	sf := []string{"salesforce", "sf", "sfdc"}
	add(slack, []string{"userid", "id", "memberid"}, SlackUserID)
	add(slack, []string{"email", "useremail", "memberemail"}, SlackEmail)
	add(sf, []string{"userid", "id"}, SalesforceUserID)
	add(sf, []string{"username"}, SalesforceUsername)
	add(sf, []string{"email", "useremail"}, SalesforceEmail)
	return m
}()

// normalizeName folds the ways people write a column name ("Slack User ID",
// "slack-user-id", "SlackUserId") into one spelling ("slackuserid").
func normalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// keyOf returns the key a header cell names, if any.
func keyOf(cell string) (Key, bool) {
	k, ok := columnNames[normalizeName(cell)]
	return k, ok
}
