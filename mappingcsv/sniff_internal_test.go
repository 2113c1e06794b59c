package mappingcsv

import "testing"

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		line string
		want rune
	}{
		{"slack_user_id,salesforce_user_id\n", ','},
		{"slack_user_id;salesforce_user_id\r\n", ';'},
		{"slack_user_id\tsalesforce_user_id", '\t'},
		// The one that finds the most names wins, whatever else splits.
		{"slack_email;salesforce_email;name, first\n", ';'},
		{"\"slack;email\",salesforce_email,slack_user_id\n", ','},
		{"slack_user_id\tsf_id;x,y,z\n", '\t'},
		// Ties, and lines with no name, go to comma, then semicolon.
		{"slack_user_id\n", ','},
		{"a;b;c\n", ','},
		{"slack_user_id;salesforce_user_id\tsalesforce_user_id;slack_user_id\n", ';'},
		// A quoted name is a name; a quoted delimiter does not split.
		{"\"slack_user_id\";\"sf_id\"\n", ';'},
		{"\"slack_user_id;sf_id\"\tsf_id\n", '\t'},
	}
	for _, tc := range tests {
		if got := detectDelimiter([]byte(tc.line)); got != tc.want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestColumnNames(t *testing.T) {
	tests := map[string]Key{
		"slack_user_id": SlackUserID, "Slack User ID": SlackUserID, "slack-id": SlackUserID,
		"SlackMemberId": SlackUserID, " SLACK_ID ": SlackUserID,
		"slack_email": SlackEmail, "Slack Email": SlackEmail, "slack_user_email": SlackEmail, "slack member email": SlackEmail,
		"salesforce_user_id": SalesforceUserID, "Salesforce ID": SalesforceUserID, "sf_user_id": SalesforceUserID,
		"SFDC Id": SalesforceUserID, "sf_id": SalesforceUserID,
		"salesforce_username": SalesforceUsername, "Salesforce User Name": SalesforceUsername, "sf_username": SalesforceUsername,
		"salesforce_email": SalesforceEmail, "SF Email": SalesforceEmail, "sfdc_user_email": SalesforceEmail,
	}
	for name, want := range tests {
		if got, ok := keyOf(name); !ok || got != want {
			t.Errorf("keyOf(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"email", "id", "user", "user_id", "salesforce_user", "slack_user", "slack", "salesforce", "name", ""} {
		if k, ok := keyOf(name); ok {
			t.Errorf("keyOf(%q) = %v, want no key: it is ambiguous", name, k)
		}
	}
	// Every canonical name is accepted as is.
	for k := SlackUserID; k <= SalesforceEmail; k++ {
		if got, ok := keyOf(k.String()); !ok || got != k {
			t.Errorf("keyOf(%q) = %v, %v", k.String(), got, ok)
		}
	}
}
