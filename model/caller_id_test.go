package model

import (
	"strings"
	"testing"
)

func TestCheckCallerID(t *testing.T) {
	for v, ok := range map[string]bool{"U0OWNER01": true, "admin@acme.example": true, "U0OWNER01 ": false, " U0OWNER01": false, "U0\tX": false, "a\x00b": false} {
		err := CheckCallerID("--as", v)
		if (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "--as")) {
			t.Errorf("%q: %v", v, err)
		}
	}
}
