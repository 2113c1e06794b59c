package store

import (
	"errors"
	"time"
)

// Mapping jobs (SPEC section 5): one uploaded CSV file of a connection and
// what became of each of its data rows. A job's rows are appended once
// (AppendJobRows), then rewritten batch by batch as the job validates and
// applies them (UpdateJobRows), then followed (SettleJobInvitations) until
// every invitation the job made was answered or expired.
//
// Inside the databases a job has a compact integer number besides its id,
// and its rows are keyed by (number, Seq): a million rows repeat 8 bytes
// rather than a 36-character id, in the table and in its index.
//
// A cancelled job keeps its cancellation on the job (reason and time), not
// on each row: every row with no Outcome reads, everywhere (JobRows,
// StreamJobRows, JobCounts), as refused with the cancellation's reason and
// time. This is what rewriting those rows would give, for a count instead
// of up to a million row writes (measured on SQLite: rewriting the 810,000
// open rows of a million-row job took 2.6-2.9 s; the count, a
// millisecond). Rows appended, or written back to no Outcome, after the
// cancellation read as cancelled too.
//
// A job's counts by status are kept in job_counts, in step with every
// write of its rows (the engines keep per-status counts), so that JobCounts, CancelJobRows and the
// waiting count of SettleJobInvitations do not read the job's rows.

// Outcome is what became (or would become) of one CSV row.
type Outcome string

// The outcomes.
const (
	// OutcomeNone: not validated yet (Plan), not applied yet (Outcome).
	OutcomeNone Outcome = ""
	// OutcomeLinked: the member is (or would be) mapped to the Salesforce
	// user.
	OutcomeLinked Outcome = "linked"
	// OutcomeInvited: the member is (or would be) invited to sign in to
	// Salesforce; as an Outcome, until the member signs in.
	OutcomeInvited Outcome = "invited"
	// OutcomeUnchanged: the member was already so mapped.
	OutcomeUnchanged Outcome = "unchanged"
	// OutcomeRefused: the row is not applied; JobRow.Reason says why.
	OutcomeRefused Outcome = "refused"
)

// Outcomes lists every outcome, OutcomeNone first.
var Outcomes = []Outcome{OutcomeNone, OutcomeLinked, OutcomeInvited, OutcomeUnchanged, OutcomeRefused}

// Valid reports whether o is one of the outcomes (OutcomeNone included).
func (o Outcome) Valid() bool {
	return o == OutcomeNone || o == OutcomeLinked || o == OutcomeInvited || o == OutcomeUnchanged || o == OutcomeRefused
}

// Job is one CSV import of a connection.
type Job struct {
	ID           string
	Workspace    string
	OrgID        string
	ConnectionID string
	FileName     string
	CreatedBy    string
	// SlackColumn and SalesforceColumn are the key columns the file used,
	// e.g. "slack_user_id", "salesforce_username".
	SlackColumn      string
	SalesforceColumn string
	// Rows is the number of data rows in the file.
	Rows int
	// CreatedAt is UTC, microsecond precision (now when zero on input).
	CreatedAt time.Time
}

// JobRow is one data row of a job's file.
type JobRow struct {
	// Seq is the row's 0-based position among the file's data rows: its
	// identity in the job.
	Seq int
	// Line is the line number in the file where the row starts.
	Line int
	// SlackKey and SalesforceKey are the two key values as in the file.
	SlackKey      string
	SalesforceKey string

	// What validation found (written by UpdateJobRows).
	SlackUserID        string
	SlackEmail         string
	SlackName          string
	SalesforceUserID   string
	SalesforceUsername string
	SalesforceEmail    string

	// Plan is what applying would do.
	Plan Outcome
	// Outcome is what applying did: final, or invited until the member
	// signs in (SettleJobInvitations).
	Outcome Outcome
	// Reason says why the row is refused, or holds a note (e.g.
	// JobInvitationExpired).
	Reason string
	// Moves is set when the plan moves a member already linked to another
	// Salesforce user.
	Moves bool
	// UpdatedAt is when UpdateJobRows (or a settle, or the job's
	// cancellation) last wrote the row, zero before; UTC, microsecond
	// precision. On input to UpdateJobRows, now when zero.
	UpdatedAt time.Time
}

// JobCounts sums up a job's rows.
type JobCounts struct {
	// Rows is the number of rows stored (appended) so far.
	Rows int
	// ByPlan counts the rows by Plan; every Outcome is present, zero or
	// not ("" = not validated yet).
	ByPlan map[Outcome]int
	// ByOutcome counts the rows by Outcome; every Outcome is present, zero
	// or not ("" = not applied yet).
	ByOutcome map[Outcome]int
	// Reasons counts the refused rows (by plan or by outcome) by Reason:
	// the MaxJobReasons most frequent reasons.
	Reasons map[string]int
	// Moves counts the rows whose plan moves a member already linked to
	// another Salesforce user.
	Moves int
}

// MaxJobReasons is how many reasons JobCounts.Reasons keeps.
const MaxJobReasons = 20

// JobInvitationExpired is the Reason SettleJobInvitations gives an invited
// row whose invitation no longer stands.
const JobInvitationExpired = "invitation expired"

// Errors of the job methods, wrapped: test them with errors.Is.
var (
	// ErrJobExists: CreateJob was given the id of an existing job.
	ErrJobExists = errors.New("job already exists")
	// ErrNoJob: the job id is unknown.
	ErrNoJob = errors.New("no such job")
)
