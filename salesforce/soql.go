package salesforce

import "strings"

// soqlEscaper escapes what SOQL string literals need escaped (the quote
// characters, the backslash and the control characters SOQL names), so
// that a value typed by a user cannot end the literal and change the query.
var soqlEscaper = strings.NewReplacer(
	`\`, `\\`,
	`'`, `\'`,
	`"`, `\"`,
	"\n", `\n`,
	"\r", `\r`,
	"\t", `\t`,
	"\b", `\b`,
	"\f", `\f`,
)

// Quote returns s as a SOQL string literal, quotes included:
// Quote("O'Brien") is 'O\'Brien'.
func Quote(s string) string {
	return "'" + soqlEscaper.Replace(s) + "'"
}
