package model

import (
	"fmt"
	"strings"
	"unicode"
)

// CheckCallerID refuses an id or a username given with leading or trailing
// spaces (`--as "U0OWNER01 "`), or with control characters. One way
// everywhere: such a value is refused, never trimmed here and kept whole
// there, so the record of who acted always names the id as it is.
func CheckCallerID(what, v string) error {
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("%s %q has leading or trailing spaces: give it without them", what, v)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return fmt.Errorf("%s %q has control characters: give the id or username alone", what, v)
	}
	return nil
}
