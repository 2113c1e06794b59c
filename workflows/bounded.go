package workflows

// A connection lives for years and a workspace as long: what they keep of
// their past is bounded, so that the state continue-as-new carries stays
// small. The newest entries are kept, and the number of older ones.
const (
	// MaxHistory is how many of a connection's events History keeps.
	MaxHistory = 100
	// MaxAttempts is how many refused signals Attempts keeps.
	MaxAttempts = 100
)

// keepNewest appends v to list and drops the oldest entries beyond max,
// counting them in dropped.
func keepNewest[T any](list []T, dropped *int, max int, v T) []T {
	list = append(list, v)
	if n := len(list) - max; n > 0 {
		*dropped += n
		// A copy, so that the dropped entries' array is let go.
		list = append([]T(nil), list[n:]...)
	}
	return list
}

// addEvent appends an event to the connection's history.
func (c *Connection) addEvent(e Event) {
	c.History = keepNewest(c.History, &c.HistoryDropped, MaxHistory, e)
}

// addAttempt keeps a refused signal.
func (c *Connection) addAttempt(a Attempt) {
	c.Attempts = keepNewest(c.Attempts, &c.AttemptsDropped, MaxAttempts, a)
}

// Events is how many events the connection has had, kept or not: it
// orders its reports to the workspace and keys its outcome notices.
func (c Connection) Events() int { return c.HistoryDropped + len(c.History) }
