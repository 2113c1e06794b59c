package sqlcore

import (
	"fmt"
	"strings"

	"github.com/sfconnect/sfconnect/store"
)

// ClearResult is ClearMapping's answer as recorded with its key.
type ClearResult struct {
	Cleared bool `json:"cleared"`
}

// StateFilter renders ListMappings' state filter as " AND state …", with
// its arguments; placeholder(i) is the placeholder of the i-th of them. No
// states, or all of them, is no filter.
func StateFilter(states []store.MappingState, placeholder func(i int) string) (string, []any, error) {
	seen := map[store.MappingState]bool{}
	var args []any
	var marks []string
	for _, st := range states {
		if !st.Valid() {
			return "", nil, fmt.Errorf("state %q is not one of invited, linked, cleared", st)
		}
		if seen[st] {
			continue
		}
		seen[st] = true
		marks = append(marks, placeholder(len(args)))
		args = append(args, string(st))
	}
	switch len(args) {
	case 0, len(store.States):
		return "", nil, nil
	case 1:
		return " AND state = " + marks[0], args, nil
	default:
		return " AND state IN (" + strings.Join(marks, ", ") + ")", args, nil
	}
}
