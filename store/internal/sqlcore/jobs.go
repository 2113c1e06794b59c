package sqlcore

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// KindJobRows is the kind of UpdateJobRows' keys in applied_keys.
const KindJobRows = "update_job_rows"

// The column lists both dialects share.

// JobRowCols are a job row's stored values, in scanPGJobRow's order.
const JobRowCols = "seq, line, slack_key, salesforce_key, " +
	"slack_user_id, slack_email, slack_name, salesforce_user_id, salesforce_username, salesforce_email, " +
	"plan, outcome, reason, moves, updated_at"

// JobRowUpdateCols are the values UpdateJobRows writes, after seq.
var JobRowUpdateCols = []string{
	"slack_user_id", "slack_email", "slack_name", "salesforce_user_id", "salesforce_username", "salesforce_email",
	"plan", "outcome", "reason", "moves", "updated_at",
}

// JobCols are a job's stored values, in the scanners' order.
const JobCols = "id, workspace, org_id, connection_id, file_name, created_by, slack_column, salesforce_column, row_count, created_at"

// JobPageSize is how many rows StreamJobRows reads per page (see
// ListPageSize).
const JobPageSize = 5000

// JobRef is what the job methods need to know of a stored job.
type JobRef struct {
	Num          int64
	ConnectionID string
	// Cancelled: the job was cancelled, with CancelReason at CancelledAt.
	Cancelled    bool
	CancelReason string
	CancelledAt  time.Time
}

// Settle applies the job's cancellation to a row read back: a row with no
// Outcome of a cancelled job reads as refused by the cancellation.
func (j *JobRef) Settle(r *store.JobRow) {
	if j.Cancelled && r.Outcome == store.OutcomeNone {
		r.Outcome, r.Reason, r.UpdatedAt = store.OutcomeRefused, j.CancelReason, j.CancelledAt
	}
}

// PrepareJob checks j and returns a normalised copy.
func PrepareJob(j store.Job, now time.Time) (store.Job, error) {
	switch {
	case j.ID == "":
		return j, errors.New("empty job id")
	case j.ConnectionID == "":
		return j, errors.New("empty connection id")
	case j.Rows < 0:
		return j, fmt.Errorf("negative row count %d", j.Rows)
	}
	j.CreatedAt = UTCMicro(j.CreatedAt)
	if j.CreatedAt.IsZero() {
		j.CreatedAt = UTCMicro(now)
	}
	return j, nil
}

// PrepareJobRows checks the rows of an append and returns them sorted by
// Seq (sequential inserts), refusing negative or repeated Seqs.
func PrepareJobRows(rows []store.JobRow) ([]store.JobRow, error) {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b store.JobRow) int { return cmp.Compare(a.Seq, b.Seq) })
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

// PrepareJobUpdates checks the rows of an UpdateJobRows and returns them
// sorted by Seq, with their times normalised (UpdatedAt now when zero).
func PrepareJobUpdates(rows []store.JobRow, now time.Time) ([]store.JobRow, error) {
	out, err := PrepareJobRows(rows)
	if err != nil {
		return nil, err
	}
	now = UTCMicro(now)
	for i := range out {
		r := &out[i]
		if !r.Plan.Valid() {
			return nil, fmt.Errorf("row seq %d: plan %q is not an outcome", r.Seq, r.Plan)
		}
		if !r.Outcome.Valid() {
			return nil, fmt.Errorf("row seq %d: outcome %q is not an outcome", r.Seq, r.Outcome)
		}
		r.UpdatedAt = UTCMicro(r.UpdatedAt)
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = now
		}
	}
	return out, nil
}

// PrepareJobMappings checks the mappings of an UpdateJobRows: those of
// ApplyMappings, and every one must be of the job's connection.
func PrepareJobMappings(ms []store.Mapping, connectionID string, now time.Time) ([]store.Mapping, error) {
	for i := range ms {
		if ms[i].ConnectionID != connectionID {
			return nil, fmt.Errorf("mapping %d (%s): connection %q is not the job's (%s)", i, ms[i].SlackUserID, ms[i].ConnectionID, connectionID)
		}
	}
	out, err := PrepareMappings(ms, now)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b store.Mapping) int { return strings.Compare(a.SlackUserID, b.SlackUserID) })
	return out, nil
}

// The kinds of change SettleJobInvitations makes to an invited row.
const (
	SettleLinked  = 1 // the member's mapping is linked to the row's user
	SettleExpired = 2 // the invitation no longer stands
)

// JobStatus is what JobCounts counts a row by: the key of job_counts.
type JobStatus struct {
	Outcome, Plan store.Outcome
	Moves         bool
	Reason        string
}

// StatusOf is a row's JobStatus.
func StatusOf(r *store.JobRow) JobStatus {
	return JobStatus{r.Outcome, r.Plan, r.Moves, r.Reason}
}

// FreshStatus is the status of a row just appended.
var FreshStatus = JobStatus{}

// JobDeltas are the changes a write makes to a job's counts, by status:
// job_counts is kept in step by every write of a job's rows, in the same
// transaction.
type JobDeltas map[JobStatus]int

// PlanApplied moves n rows of status k, not applied yet, to their plan as
// outcome (ApplyPlannedJobRows).
func (d JobDeltas) PlanApplied(k JobStatus, n int) {
	d[k] -= n
	k.Outcome = k.Plan
	d[k] += n
}

// SeqRange is a range of a job's rows, from <= Seq < to.
type SeqRange struct{ From, To int }

// Sorted returns the non-zero deltas in key order, the order in which they
// are written (two transactions writing the same counts lock them in the
// same order).
func (d JobDeltas) Sorted() []JobDelta {
	out := make([]JobDelta, 0, len(d))
	for k, n := range d {
		if n != 0 {
			out = append(out, JobDelta{k, n})
		}
	}
	slices.SortFunc(out, func(a, b JobDelta) int {
		return cmp.Or(strings.Compare(string(a.Outcome), string(b.Outcome)), strings.Compare(string(a.Plan), string(b.Plan)),
			cmp.Compare(boolOrder(a.Moves), boolOrder(b.Moves)), strings.Compare(a.Reason, b.Reason))
	})
	return out
}

// JobDelta is one count's change.
type JobDelta struct {
	JobStatus
	N int
}

// JobCounter folds the (outcome, plan, moves, reason, count) groups of a
// job's rows into JobCounts.
type JobCounter struct {
	job     *JobRef
	c       store.JobCounts
	reasons map[string]int
}

func NewJobCounter(job *JobRef) *JobCounter {
	c := &JobCounter{job: job, reasons: map[string]int{}}
	c.c.ByPlan = make(map[store.Outcome]int, len(store.Outcomes))
	c.c.ByOutcome = make(map[store.Outcome]int, len(store.Outcomes))
	for _, o := range store.Outcomes {
		c.c.ByPlan[o], c.c.ByOutcome[o] = 0, 0
	}
	return c
}

// Add counts one group of n rows.
func (c *JobCounter) Add(outcome, plan store.Outcome, moves bool, reason string, n int) {
	if n == 0 {
		return
	}
	if c.job.Cancelled && outcome == store.OutcomeNone {
		outcome, reason = store.OutcomeRefused, c.job.CancelReason
	}
	c.c.Rows += n
	c.c.ByPlan[plan] += n
	c.c.ByOutcome[outcome] += n
	if moves {
		c.c.Moves += n
	}
	if plan == store.OutcomeRefused || outcome == store.OutcomeRefused {
		c.reasons[reason] += n
	}
}

// Counts returns the sums, with the MaxJobReasons most frequent reasons
// (ties: the smaller reason first).
func (c *JobCounter) Counts() store.JobCounts {
	type rc struct {
		reason string
		n      int
	}
	all := make([]rc, 0, len(c.reasons))
	for r, n := range c.reasons {
		all = append(all, rc{r, n})
	}
	slices.SortFunc(all, func(a, b rc) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.reason, b.reason)) })
	c.c.Reasons = make(map[string]int, min(len(all), store.MaxJobReasons))
	for _, r := range all[:min(len(all), store.MaxJobReasons)] {
		c.c.Reasons[r.reason] = r.n
	}
	return c.c
}

// boolOrder orders false before true.
func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MaxSeq bounds a Seq from above: every stored Seq is below it.
const MaxSeq = 1<<62 - 1
