// Package store is the contract of sfconnect's store of member mappings
// (SPEC section 4), local copies of each workspace's Slack directory and
// CSV jobs: its types, the Store interface, and Open and Migrate, which
// hand a URL to the engine registered for it. The engines are packages of
// their own, store/sqlite (the default one-machine run, a file under
// .data/) and store/postgres (production, DATABASE_URL), linked in by
// importing store/engines; both pass the same suite (storetest).
//
// Workflows never touch the store: activities do, and every write an activity
// makes can be retried, so the writes that are not naturally idempotent take
// an idempotency key (ApplyMappings, ClearMapping, UpdateJobRows).
package store

import (
	"context"
	"errors"
	"time"
)

// MappingState is where a member's mapping stands: invited → linked, or
// cleared.
type MappingState string

// The mapping states.
const (
	// StateInvited: the member was asked to sign in to Salesforce and has
	// not yet done so (manual mapping, one member or CSV).
	StateInvited MappingState = "invited"
	// StateLinked: the member's Slack account is mapped to a Salesforce user.
	StateLinked MappingState = "linked"
	// StateCleared: the mapping was removed (by an admin, or because the
	// invitation expired); the member may map again.
	StateCleared MappingState = "cleared"
)

// States lists every mapping state, in lifecycle order.
var States = []MappingState{StateInvited, StateLinked, StateCleared}

// Valid reports whether s is one of the mapping states.
func (s MappingState) Valid() bool {
	return s == StateInvited || s == StateLinked || s == StateCleared
}

// Live reports whether a mapping in this state holds its Salesforce user.
func (s MappingState) Live() bool { return s == StateInvited || s == StateLinked }

// Source says how a mapping came to be.
type Source string

// The mapping sources.
const (
	SourceAuto   Source = "auto"   // automatic mapping chosen in Step 1
	SourceManual Source = "manual" // an admin added the member individually
	SourceCSV    Source = "csv"    // a CSV import job
	SourceSelf   Source = "self"   // the member signed in on their own
)

// Valid reports whether s is one of the mapping sources.
func (s Source) Valid() bool {
	return s == SourceAuto || s == SourceManual || s == SourceCSV || s == SourceSelf
}

// Mapping is one Slack member's account mapping in one connection.
type Mapping struct {
	// ConnectionID is the connection's identity: one per connection lifetime
	// (a reconnect after a disconnect gets a new id), so that mappings of an
	// ended connection never leak into the next one.
	ConnectionID string
	Workspace    string
	OrgID        string

	SlackUserID string
	SlackEmail  string
	SlackNameID string
	SlackName   string

	SalesforceUserID   string
	SalesforceUsername string
	SalesforceEmail    string

	State  MappingState
	Source Source
	// InviteExpiresAt is zero unless the mapping is invited; an invited
	// mapping with a zero expiry never expires.
	InviteExpiresAt time.Time
	// CreatedAt and UpdatedAt are UTC, microsecond precision. On input,
	// ApplyMappings uses UpdatedAt (now when zero) as the time of the change
	// and CreatedAt (UpdatedAt when zero) for a new row.
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// ApplyResult is what ApplyMappings did.
type ApplyResult struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Replayed is true when the key had already been applied: nothing was
	// written and the counts are the first call's.
	Replayed bool `json:"replayed,omitempty"`
}

// Member is one member of a workspace's Slack directory, as last seen.
type Member struct {
	Workspace  string
	UserID     string
	Name       string // the Slack handle (users.list "name")
	RealName   string
	Email      string
	SAMLNameID string
	Deleted    bool
	// UpdatedAt is when the member last changed (now when zero on input);
	// UTC, microsecond precision.
	UpdatedAt time.Time
}

// OffHeap is implemented by a store that holds memory outside Go's heap,
// where the Go runtime's soft memory limit cannot see it: SQLite's page
// caches, temporary storage and statements live in the C heap of
// modernc.org/libc. OffHeapBytes is its budget for that memory, at most
// what the store holds there under load; the worker lowers its Go memory
// limit by it, so that the process as a whole keeps to its limit.
type OffHeap interface {
	OffHeapBytes() int64
}

// Store is the product's store of member mappings and Slack directories.
// Every method is safe for concurrent use, also from several processes
// sharing one database.
type Store interface {
	// Close releases the database connections.
	Close() error

	// ApplyMappings writes each mapping (insert, or update on
	// (ConnectionID, SlackUserID)) in one transaction. key makes it
	// idempotent: a second call with the same key writes nothing and returns
	// the first call's result with Replayed set, whatever rows it is given,
	// so a retried activity writes nothing twice; an empty key applies
	// unconditionally. A row whose values (everything but the timestamps and
	// UpdatedBy) are already stored is counted Unchanged and not touched.
	// One call may not name the same (ConnectionID, SlackUserID) twice.
	ApplyMappings(ctx context.Context, key string, ms []Mapping) (ApplyResult, error)
	// GetMapping returns a member's mapping in a connection, whatever its
	// state; false when there is none.
	GetMapping(ctx context.Context, connectionID, slackUserID string) (Mapping, bool, error)
	// GetMappings reads the mappings of many members at once (a batch of
	// automatic mapping); members without one are absent from the map.
	GetMappings(ctx context.Context, connectionID string, slackUserIDs []string) (map[string]Mapping, error)
	// GetLiveMappingsBySalesforceUsers reads, for many Salesforce users at
	// once, the live mapping holding each (as FindBySalesforceUser).
	GetLiveMappingsBySalesforceUsers(ctx context.Context, connectionID string, salesforceUserIDs []string) (map[string]Mapping, error)
	// GetMembers reads the members of a workspace with these user ids,
	// deleted ones included.
	GetMembers(ctx context.Context, workspace string, userIDs []string) (map[string]Member, error)
	// GetMembersByEmail reads the live members of a workspace with these
	// emails (case-insensitive), by lower-cased email.
	GetMembersByEmail(ctx context.Context, workspace string, emails []string) (map[string][]Member, error)
	// FindBySalesforceUser returns the live (invited or linked) mapping that
	// holds a Salesforce user in a connection, if any (the most recently
	// updated one, should there be several).
	FindBySalesforceUser(ctx context.Context, connectionID, salesforceUserID string) (Mapping, bool, error)
	// ListMappings streams a connection's mappings ordered by SlackUserID to
	// fn, in keyset pages, so memory does not grow with the count and fn may
	// call the store. states filters (none = all). An error from fn stops
	// the listing and is returned as is.
	ListMappings(ctx context.Context, connectionID string, states []MappingState, fn func(Mapping) error) error
	// CountMappings counts a connection's mappings by state; every state is
	// present in the map, zero or not.
	CountMappings(ctx context.Context, connectionID string) (map[MappingState]int, error)
	// SearchMappings finds a connection's mappings whose member's name,
	// real name (or any word of it) or email in the directory copy
	// (UpsertMembers; deleted members' names and emails are not searched),
	// Slack user id, Salesforce username or Salesforce email starts with
	// query (case-insensitive), at most limit of them, ordered by the
	// mapping's Slack name (case-insensitive) then user id. An empty query
	// lists them in user id order. limit <= 0 means DefaultSearchLimit; it
	// is capped at MaxSearchLimit.
	SearchMappings(ctx context.Context, connectionID, query string, limit int) ([]Mapping, error)
	// ClearMapping marks a member's live mapping cleared, by whom and when
	// (now when zero). It is idempotent by key: a second call with the same
	// key returns the first call's answer. false when there was no live
	// mapping.
	ClearMapping(ctx context.Context, key, connectionID, slackUserID, by string, at time.Time) (bool, error)
	// ExpireInvitations moves a connection's invited mappings whose
	// InviteExpiresAt <= now to cleared, with UpdatedBy "expired", and
	// returns how many it moved.
	ExpireInvitations(ctx context.Context, connectionID string, now time.Time) (int, error)

	// UpsertMembers writes a workspace's members (insert, or update on
	// UserID), in one transaction; unchanged members are not touched. The
	// Workspace field of each member is ignored: workspace wins.
	UpsertMembers(ctx context.Context, workspace string, ms []Member) error
	// SearchMembers finds a workspace's members, deleted ones excepted,
	// whose name, real name, any word of the real name, email or user id
	// starts with query (case-insensitive), at most limit of them (as in
	// SearchMappings), ordered by name then user id.
	SearchMembers(ctx context.Context, workspace, query string, limit int) ([]Member, error)

	// CreateJob records a new mapping job (see jobs.go); an error wrapping
	// ErrJobExists when its id is taken.
	CreateJob(ctx context.Context, j Job) error
	// GetJob reads a job; false when there is none.
	GetJob(ctx context.Context, id string) (Job, bool, error)
	// AppendJobRows stores rows of a job's file (their Seq, Line and keys;
	// the other fields are ignored), in one transaction. It is idempotent
	// on (job, Seq): a row whose Seq is already stored is left as it is,
	// so a retried append writes nothing twice. One call may not name a
	// Seq twice. An error wrapping ErrNoJob when the job is unknown.
	AppendJobRows(ctx context.Context, jobID string, rows []JobRow) error
	// JobRows reads the job's rows with from <= Seq < to, ordered by Seq.
	JobRows(ctx context.Context, jobID string, from, to int) ([]JobRow, error)
	// UpdateJobRows writes, by Seq, each row's validation fields, Plan,
	// Outcome, Reason, Moves and UpdatedAt (now when zero), and applies
	// mappings (as ApplyMappings does; each of the job's connection), in
	// one transaction: a job never half-applies a row. Every Seq must be
	// stored, and named once. key makes it idempotent as in ApplyMappings
	// (its own kind of key): a second call with the key writes nothing
	// and returns the first call's result with Replayed set. The result
	// counts the mappings.
	UpdateJobRows(ctx context.Context, key, jobID string, rows []JobRow, mappings []Mapping) (ApplyResult, error)
	// ApplyPlannedJobRows is UpdateJobRows for a batch of planned rows
	// (from <= Seq < to): it writes rows, the ones whose outcome is not
	// their plan, as UpdateJobRows does; then every other row of the range
	// that has a Plan and no Outcome yet gets its Plan as Outcome (and
	// UpdatedAt now), in the database, without the rows travelling back;
	// and mappings are applied, all in one transaction, idempotent by key.
	ApplyPlannedJobRows(ctx context.Context, key, jobID string, from, to int, rows []JobRow, mappings []Mapping) (ApplyResult, error)
	// JobCounts sums up the job's rows by plan, outcome and reason.
	JobCounts(ctx context.Context, jobID string) (JobCounts, error)
	// StreamJobRows hands every row of the job to fn, ordered by Seq, read
	// in keyset pages (memory does not grow with the job; fn may call the
	// store). An error from fn stops it and is returned as is.
	StreamJobRows(ctx context.Context, jobID string, fn func(JobRow) error) error
	// SettleJobInvitations follows the job's rows whose Outcome is
	// invited, reading their members' mappings in bulk: a row whose member's
	// mapping (in the job's connection) is now linked to the row's
	// Salesforce user becomes linked; a row whose invitation no longer
	// stands (the mapping is no longer invited to that Salesforce user, or
	// its InviteExpiresAt <= now) stays invited with Reason
	// JobInvitationExpired. It returns how many rows it linked, how many it
	// found expired, and how many are still waiting (invited, not
	// expired).
	SettleJobInvitations(ctx context.Context, jobID string, now time.Time) (linked, expired, waiting int, err error)
	// CancelJobRows ends a job: every row with no Outcome yet becomes
	// refused with Reason reason (rows with an Outcome are kept), and it
	// returns how many. Cancelling a cancelled job changes nothing and
	// returns 0.
	CancelJobRows(ctx context.Context, jobID, reason string) (int, error)

	// NoticeSent reports whether the notice of key was recorded, and the
	// message's Slack timestamp ("" while its post is pending).
	NoticeSent(ctx context.Context, key string) (ts string, found bool, err error)
	// RecordNotice records the notice of key: ts "" claims it before its
	// post (pending), a timestamp records the posted message. A pending
	// record is completed by a timestamp; a timestamp, once recorded, is
	// kept.
	RecordNotice(ctx context.Context, key, ts string) error
}

// Search limits.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 1000
)

// ExpiredBy is the UpdatedBy of a mapping cleared by ExpireInvitations.
const ExpiredBy = "expired"

// ErrKeyReused is returned when an idempotency key already applied by one
// kind of write (say ClearMapping) is given to another (ApplyMappings).
var ErrKeyReused = errors.New("idempotency key already used by another kind of write")
