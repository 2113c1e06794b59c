package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
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
// write of its rows (jobDeltas), so that JobCounts, CancelJobRows and the
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

// kindJobRows is the kind of UpdateJobRows' keys in applied_keys.
const kindJobRows = "update_job_rows"

// The column lists both dialects share.

// jobRowCols are a job row's stored values, in scanPGJobRow's order.
const jobRowCols = "seq, line, slack_key, salesforce_key, " +
	"slack_user_id, slack_email, slack_name, salesforce_user_id, salesforce_username, salesforce_email, " +
	"plan, outcome, reason, moves, updated_at"

// jobRowUpdateCols are the values UpdateJobRows writes, after seq.
var jobRowUpdateCols = []string{
	"slack_user_id", "slack_email", "slack_name", "salesforce_user_id", "salesforce_username", "salesforce_email",
	"plan", "outcome", "reason", "moves", "updated_at",
}

// jobCols are a job's stored values, in the scanners' order.
const jobCols = "id, workspace, org_id, connection_id, file_name, created_by, slack_column, salesforce_column, row_count, created_at"

// jobPageSize is how many rows StreamJobRows reads per page (see
// listPageSize).
const jobPageSize = 5000

// jobRef is what the job methods need to know of a stored job.
type jobRef struct {
	num          int64
	connectionID string
	// cancelled: the job was cancelled, with reason at cancelledAt.
	cancelled    bool
	cancelReason string
	cancelledAt  time.Time
}

// settle applies the job's cancellation to a row read back: a row with no
// Outcome of a cancelled job reads as refused by the cancellation.
func (j *jobRef) settle(r *JobRow) {
	if j.cancelled && r.Outcome == OutcomeNone {
		r.Outcome, r.Reason, r.UpdatedAt = OutcomeRefused, j.cancelReason, j.cancelledAt
	}
}

// prepareJob checks j and returns a normalised copy.
func prepareJob(j Job, now time.Time) (Job, error) {
	switch {
	case j.ID == "":
		return j, errors.New("empty job id")
	case j.ConnectionID == "":
		return j, errors.New("empty connection id")
	case j.Rows < 0:
		return j, fmt.Errorf("negative row count %d", j.Rows)
	}
	j.CreatedAt = utcMicro(j.CreatedAt)
	if j.CreatedAt.IsZero() {
		j.CreatedAt = utcMicro(now)
	}
	return j, nil
}

// prepareJobRows checks the rows of an append and returns them sorted by
// Seq (sequential inserts), refusing negative or repeated Seqs.
func prepareJobRows(rows []JobRow) ([]JobRow, error) {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b JobRow) int { return cmp.Compare(a.Seq, b.Seq) })
	for i := range out {
		switch {
		case out[i].Seq < 0:
			return nil, fmt.Errorf("row seq %d is negative", out[i].Seq)
		case i > 0 && out[i].Seq == out[i-1].Seq:
			return nil, fmt.Errorf("row seq %d appears twice", out[i].Seq)
		}
	}
	return out, nil
}

// prepareJobUpdates checks the rows of an UpdateJobRows and returns them
// sorted by Seq, with their times normalised (UpdatedAt now when zero).
func prepareJobUpdates(rows []JobRow, now time.Time) ([]JobRow, error) {
	out, err := prepareJobRows(rows)
	if err != nil {
		return nil, err
	}
	now = utcMicro(now)
	for i := range out {
		r := &out[i]
		if !r.Plan.Valid() {
			return nil, fmt.Errorf("row seq %d: plan %q is not an outcome", r.Seq, r.Plan)
		}
		if !r.Outcome.Valid() {
			return nil, fmt.Errorf("row seq %d: outcome %q is not an outcome", r.Seq, r.Outcome)
		}
		r.UpdatedAt = utcMicro(r.UpdatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = now
		}
	}
	return out, nil
}

// prepareJobMappings checks the mappings of an UpdateJobRows: those of
// ApplyMappings, and every one must be of the job's connection.
func prepareJobMappings(ms []Mapping, connectionID string, now time.Time) ([]Mapping, error) {
	for i := range ms {
		if ms[i].ConnectionID != connectionID {
			return nil, fmt.Errorf("mapping %d (%s): connection %q is not the job's (%s)", i, ms[i].SlackUserID, ms[i].ConnectionID, connectionID)
		}
	}
	out, err := prepareMappings(ms, now)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Mapping) int { return strings.Compare(a.SlackUserID, b.SlackUserID) })
	return out, nil
}

// The kinds of change SettleJobInvitations makes to an invited row.
const (
	settleLinked  = 1 // the member's mapping is linked to the row's user
	settleExpired = 2 // the invitation no longer stands
)

// jobStatus is what JobCounts counts a row by: the key of job_counts.
type jobStatus struct {
	outcome, plan Outcome
	moves         bool
	reason        string
}

// statusOf is a row's jobStatus.
func statusOf(r *JobRow) jobStatus {
	return jobStatus{r.Outcome, r.Plan, r.Moves, r.Reason}
}

// freshStatus is the status of a row just appended.
var freshStatus = jobStatus{}

// jobDeltas are the changes a write makes to a job's counts, by status:
// job_counts is kept in step by every write of a job's rows, in the same
// transaction.
type jobDeltas map[jobStatus]int

// planApplied moves n rows of status k, not applied yet, to their plan as
// outcome (ApplyPlannedJobRows).
func (d jobDeltas) planApplied(k jobStatus, n int) {
	d[k] -= n
	k.outcome = k.plan
	d[k] += n
}

// seqRange is a range of a job's rows, from <= Seq < to.
type seqRange struct{ from, to int }

// sorted returns the non-zero deltas in key order, the order in which they
// are written (two transactions writing the same counts lock them in the
// same order).
func (d jobDeltas) sorted() []jobDelta {
	out := make([]jobDelta, 0, len(d))
	for k, n := range d {
		if n != 0 {
			out = append(out, jobDelta{k, n})
		}
	}
	slices.SortFunc(out, func(a, b jobDelta) int {
		return cmp.Or(strings.Compare(string(a.outcome), string(b.outcome)), strings.Compare(string(a.plan), string(b.plan)),
			cmp.Compare(sqliteBool(a.moves), sqliteBool(b.moves)), strings.Compare(a.reason, b.reason))
	})
	return out
}

// jobDelta is one count's change.
type jobDelta struct {
	jobStatus
	n int
}

// jobCounter folds the (outcome, plan, moves, reason, count) groups of a
// job's rows into JobCounts.
type jobCounter struct {
	job     *jobRef
	c       JobCounts
	reasons map[string]int
}

func newJobCounter(job *jobRef) *jobCounter {
	c := &jobCounter{job: job, reasons: map[string]int{}}
	c.c.ByPlan = make(map[Outcome]int, len(Outcomes))
	c.c.ByOutcome = make(map[Outcome]int, len(Outcomes))
	for _, o := range Outcomes {
		c.c.ByPlan[o], c.c.ByOutcome[o] = 0, 0
	}
	return c
}

// add counts one group of n rows.
func (c *jobCounter) add(outcome, plan Outcome, moves bool, reason string, n int) {
	if n == 0 {
		return
	}
	if c.job.cancelled && outcome == OutcomeNone {
		outcome, reason = OutcomeRefused, c.job.cancelReason
	}
	c.c.Rows += n
	c.c.ByPlan[plan] += n
	c.c.ByOutcome[outcome] += n
	if moves {
		c.c.Moves += n
	}
	if plan == OutcomeRefused || outcome == OutcomeRefused {
		c.reasons[reason] += n
	}
}

// counts returns the sums, with the MaxJobReasons most frequent reasons
// (ties: the smaller reason first).
func (c *jobCounter) counts() JobCounts {
	type rc struct {
		reason string
		n      int
	}
	all := make([]rc, 0, len(c.reasons))
	for r, n := range c.reasons {
		all = append(all, rc{r, n})
	}
	slices.SortFunc(all, func(a, b rc) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.reason, b.reason)) })
	c.c.Reasons = make(map[string]int, min(len(all), MaxJobReasons))
	for _, r := range all[:min(len(all), MaxJobReasons)] {
		c.c.Reasons[r.reason] = r.n
	}
	return c.c
}
