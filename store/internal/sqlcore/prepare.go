// Package store keeps sfconnect's member mappings (SPEC section 4) and a
// local copy of each workspace's Slack directory, behind one interface with
// two implementations: SQLite through the pure-Go modernc.org/sqlite (the
// default one-machine run, a file under .data/) and PostgreSQL through pgx
// (production, DATABASE_URL). Both pass the same test suite (storetest).
//
// Workflows never touch the store: activities do, and every write an activity
// makes can be retried, so the writes that are not naturally idempotent take
// an idempotency key (ApplyMappings, ClearMapping, UpdateJobRows).
package sqlcore

import (
	"errors"
	"fmt"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// The kinds of keyed writes, as recorded in applied_keys.
const (
	KindApply = "apply_mappings"
	KindClear = "clear_mapping"
	// KindNotice is a Slack notice posted (NoticeSent, RecordNotice).
	KindNotice = "notice"
)

// PrepareMappings checks ms and returns normalised copies: times in UTC at
// microsecond precision (what both databases keep, so that a reread row
// compares equal), UpdatedAt and CreatedAt filled in, and InviteExpiresAt
// zero unless invited. It refuses the whole batch on the first bad row, so a
// batch never half-applies.
func PrepareMappings(ms []store.Mapping, now time.Time) ([]store.Mapping, error) {
	out := make([]store.Mapping, len(ms))
	type pk struct{ c, u string }
	seen := make(map[pk]struct{}, len(ms))
	now = UTCMicro(now)
	for i, m := range ms {
		switch {
		case m.ConnectionID == "":
			return nil, fmt.Errorf("row %d: empty connection id", i)
		case m.SlackUserID == "":
			return nil, fmt.Errorf("row %d: empty Slack user id", i)
		case !m.State.Valid():
			return nil, fmt.Errorf("row %d (%s): state %q is not one of invited, linked, cleared", i, m.SlackUserID, m.State)
		case !m.Source.Valid():
			return nil, fmt.Errorf("row %d (%s): source %q is not one of auto, manual, csv, self", i, m.SlackUserID, m.Source)
		}
		k := pk{m.ConnectionID, m.SlackUserID}
		if _, dup := seen[k]; dup {
			return nil, fmt.Errorf("row %d: Slack user %s appears twice for connection %s", i, m.SlackUserID, m.ConnectionID)
		}
		seen[k] = struct{}{}
		if m.State != store.StateInvited {
			m.InviteExpiresAt = time.Time{}
		}
		m.InviteExpiresAt = UTCMicro(m.InviteExpiresAt)
		m.UpdatedAt = UTCMicro(m.UpdatedAt)
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = now
		}
		m.CreatedAt = UTCMicro(m.CreatedAt)
		if m.CreatedAt.IsZero() {
			m.CreatedAt = m.UpdatedAt
		}
		out[i] = m
	}
	return out, nil
}

// PrepareMembers checks ms and returns normalised copies for workspace.
func PrepareMembers(workspace string, ms []store.Member, now time.Time) ([]store.Member, error) {
	if workspace == "" {
		return nil, errors.New("empty workspace")
	}
	out := make([]store.Member, len(ms))
	seen := make(map[string]struct{}, len(ms))
	now = UTCMicro(now)
	for i, m := range ms {
		if m.UserID == "" {
			return nil, fmt.Errorf("member %d: empty user id", i)
		}
		if _, dup := seen[m.UserID]; dup {
			return nil, fmt.Errorf("member %d: user %s appears twice", i, m.UserID)
		}
		seen[m.UserID] = struct{}{}
		m.Workspace = workspace
		m.UpdatedAt = UTCMicro(m.UpdatedAt)
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = now
		}
		out[i] = m
	}
	return out, nil
}

// UTCMicro is t in UTC truncated to the microsecond; the zero time stays
// zero.
func UTCMicro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// SearchLimit applies the documented default and cap.
func SearchLimit(limit int) int {
	if limit <= 0 {
		return store.DefaultSearchLimit
	}
	return min(limit, store.MaxSearchLimit)
}

// ListPageSize is how many mappings ListMappings reads per page: big enough
// that the per-query cost vanishes, small enough that a page stays a few MB.
const ListPageSize = 5000

// StateCounts returns a map with every state present.
func StateCounts() map[store.MappingState]int {
	m := make(map[store.MappingState]int, len(store.States))
	for _, s := range store.States {
		m[s] = 0
	}
	return m
}
