package orgurl

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrGovernmentCloud marks the refusal of a Government Cloud org's URL: Slack
// cannot be connected to Government Cloud orgs. Test with errors.Is.
var ErrGovernmentCloud = errors.New("orgurl: Government Cloud orgs cannot be connected to Slack")

// expectedForm ends every refusal that a corrected URL can fix, so the admin
// sees what to type instead.
const expectedForm = "expected https://NAME.my.salesforce.com (a sandbox: https://NAME--SANDBOX.sandbox.my.salesforce.com)"

// maxQuoted bounds how much of the input an error message repeats, so that a
// pasted page of text does not become a page of error.
const maxQuoted = 100

// Error is Parse's refusal. Reason says what is wrong in words meant for the
// admin who typed Input.
type Error struct {
	Input  string // what was given, untrimmed
	Reason string // what is wrong with it, e.g. "it uses http://, and Salesforce orgs are reached over https:// only"

	// err is the sentinel this refusal is a case of (ErrGovernmentCloud), or
	// nil; it is unexported so that Error's shape stays the two fields
	// callers read.
	err error
}

// Error is one line: the input, what is wrong, and (unless no URL can fix
// it, as for Government Cloud) the form expected.
func (e *Error) Error() string {
	msg := fmt.Sprintf("Salesforce org URL %q refused: %s", quoted(e.Input), e.Reason)
	if e.err == nil {
		msg += "; " + expectedForm
	}
	return msg
}

// Unwrap gives the sentinel this refusal is a case of, so that
// errors.Is(err, ErrGovernmentCloud) works.
func (e *Error) Unwrap() error { return e.err }

// quoted shortens s for an error message.
func quoted(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return s
	}
	r := []rune(s)
	return string(r[:maxQuoted]) + "…"
}

// refuse builds Parse's error result.
func refuse(input, reason string) (MyDomain, error) {
	return MyDomain{}, &Error{Input: input, Reason: reason}
}
