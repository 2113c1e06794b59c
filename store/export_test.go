package store

// SetPageHook makes s report the length of every ListMappings (and
// StreamJobRows) page to fn (nil: stop), for the test of bounded pages.
func SetPageHook(s Store, fn func(n int)) {
	switch s := s.(type) {
	case *sqliteStore:
		s.pageHook = fn
	case *pgStore:
		s.pageHook = fn
	}
}
