package sandbox

import "time"

// SetClock replaces the sandbox's clock, so that tests can expire codes and
// query locators without waiting. It exists only in tests.
func SetClock(s *Sandbox, now func() time.Time) { s.clock.Store(&now) }
