package postgres

import "github.com/sfconnect/sfconnect/store"

// SetPageHook makes s report the length of every ListMappings (and
// StreamJobRows) page to fn (nil: stop), for the test of bounded pages.
func SetPageHook(s store.Store, fn func(n int)) {
	if s, ok := s.(*pgStore); ok {
		s.pageHook = fn
	}
}
