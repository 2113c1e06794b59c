package storetest

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// The job timing test runs one big job end to end, as the import workflow
// drives it: append the file's rows, validate them all, apply some (with
// new members' invitations), follow the invitations, count, stream the
// results, cancel the rest. Its size is a million rows, a tenth under the
// race detector (see perfRows); the figures to quote come from a normal
// run.
var (
	// jobPerfRows is the size of the job.
	jobPerfRows = map[bool]int{false: 1_000_000, true: 100_000}[raceEnabled]
	// jobPerfApplied is how many of its rows (the first ones) are applied,
	// each inviting a new member: a tenth.
	jobPerfApplied = jobPerfRows / 10
	// jobPerfValidatedRows is how many of its rows (the first ones) are
	// validated: all of them, but under the race detector, where the
	// validation pass alone took 24 s, 30%.
	jobPerfValidatedRows = map[bool]int{false: jobPerfRows, true: jobPerfRows * 3 / 10}[raceEnabled]
)

// Batch sizes, as the workflow sends them.
const (
	jobPerfAppendBatch = 50_000
	jobPerfUpdateBatch = 10_000
)

// jobQueryBudget is the most JobCounts and CancelJobRows may take on the
// job ("well under a second" is the aim; they read job_counts, and take a
// millisecond). SettleJobInvitations is only logged: its cost follows the
// invitations it looks at and changes (here 100,000 and 60,000: 0.8 s on
// SQLite, 0.8-1.1 s on PostgreSQL), not the job's size.
const jobQueryBudget = time.Second

// jobPerfMember is the member of the seq-th row: ids in scrambled order
// (7919 is prime to 10^n, so this is a permutation), so that a batch's new
// mappings land all over the mappings' indexes, as new members do.
func jobPerfMember(seq int) (id, handle, realName string) {
	id = fmt.Sprintf("U%09d", (seq*7919)%jobPerfRows)
	first, last := firstNames[seq%len(firstNames)], lastNames[(seq/len(firstNames))%len(lastNames)]
	return id, strings.ToLower(first + "." + last + fmt.Sprint(seq)), first + " " + last
}

// jobPerfRow is the seq-th row of the file as read.
func jobPerfRow(seq int) store.JobRow {
	_, handle, _ := jobPerfMember(seq)
	return store.JobRow{Seq: seq, Line: seq + 2, SlackKey: handle + "@example.com", SalesforceKey: handle + "@acme.sf"}
}

// jobPerfValidated is the seq-th row as validation fills it. The applied
// rows are all planned invited; among the others, every tenth is refused
// (30 reasons), every tenth unchanged, every fiftieth moves a member.
func jobPerfValidated(seq int) store.JobRow {
	r := jobPerfRow(seq)
	id, handle, real := jobPerfMember(seq)
	r.SlackUserID, r.SlackEmail, r.SlackName = id, r.SlackKey, real
	r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail = fmt.Sprintf("005%015d", seq), r.SalesforceKey, handle+"@example.com"
	r.Plan = store.OutcomeInvited
	switch {
	case seq < jobPerfApplied:
	case seq%10 == 0:
		r.Plan, r.Outcome, r.Reason = store.OutcomeRefused, store.OutcomeRefused, fmt.Sprintf("reason %02d", (seq/10)%30)
	case seq%10 == 9:
		r.Plan = store.OutcomeUnchanged
	case seq%50 == 1:
		r.Moves = true
	}
	return r
}

// JobTiming measures a million-row job's store calls and fails tb when
// one exceeds jobQueryBudget; a benchmark's, like Timing. s must be a
// fresh store.
func JobTiming(t testing.TB, s store.Store) {
	ctx := context.Background()
	n, applied := jobPerfRows, jobPerfApplied
	if raceEnabled {
		t.Logf("race detector on: a job of %d rows, not 1,000,000", n)
	}
	rate := func(rows int, d time.Duration) string {
		return fmt.Sprintf("%d rows in %v (%.0f rows/s)", rows, d.Round(time.Millisecond), float64(rows)/d.Seconds())
	}
	job := testJob("JPERF", "CPERF", n)
	job.Workspace = "TPERF"
	if err := s.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}

	// Append, in calls of 50,000 rows.
	var took time.Duration
	rows := make([]store.JobRow, 0, jobPerfAppendBatch)
	for lo := 0; lo < n; lo += jobPerfAppendBatch {
		rows = rows[:0]
		for seq := lo; seq < min(lo+jobPerfAppendBatch, n); seq++ {
			rows = append(rows, jobPerfRow(seq))
		}
		start := time.Now()
		if err := s.AppendJobRows(ctx, "JPERF", rows); err != nil {
			t.Fatalf("append from %d: %v", lo, err)
		}
		took += time.Since(start)
	}
	t.Logf("AppendJobRows: %s, in calls of %d", rate(n, took), jobPerfAppendBatch)

	// Validate the rows: plans only, no mapping.
	took = 0
	for lo := 0; lo < jobPerfValidatedRows; lo += jobPerfUpdateBatch {
		rows = rows[:0]
		for seq := lo; seq < min(lo+jobPerfUpdateBatch, jobPerfValidatedRows); seq++ {
			rows = append(rows, jobPerfValidated(seq))
		}
		start := time.Now()
		if _, err := s.UpdateJobRows(ctx, fmt.Sprintf("validate-%d", lo), "JPERF", rows, nil); err != nil {
			t.Fatalf("validate from %d: %v", lo, err)
		}
		took += time.Since(start)
	}
	t.Logf("UpdateJobRows, validation (no mappings): %s, in calls of %d", rate(jobPerfValidatedRows, took), jobPerfUpdateBatch)

	// Apply the first rows: each call 10,000 rows invited and 10,000 new
	// mappings. The invitations of even rows expire before the settling
	// below.
	settleAt := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Microsecond)
	took = 0
	var first, last time.Duration
	ms := make([]store.Mapping, 0, jobPerfUpdateBatch)
	for lo := 0; lo < applied; lo += jobPerfUpdateBatch {
		rows, ms = rows[:0], ms[:0]
		for seq := lo; seq < lo+jobPerfUpdateBatch; seq++ {
			r := jobPerfValidated(seq)
			r.Outcome = store.OutcomeInvited
			rows = append(rows, r)
			expires := settleAt.Add(48 * time.Hour)
			if seq%2 == 0 {
				expires = settleAt.Add(-time.Hour)
			}
			ms = append(ms, perfInvitation(r, expires))
		}
		start := time.Now()
		res, err := s.UpdateJobRows(ctx, fmt.Sprintf("apply-%d", lo), "JPERF", rows, ms)
		if err != nil || res.Inserted != jobPerfUpdateBatch {
			t.Fatalf("apply from %d: %+v, %v", lo, res, err)
		}
		d := time.Since(start)
		if lo == 0 {
			first = d
		}
		last, took = d, took+d
	}
	t.Logf("UpdateJobRows, applying (all rows invited, all mappings new): %s, in calls of %d; first call %v, last %v (%d mappings stored)",
		rate(applied, took), jobPerfUpdateBatch, first.Round(time.Millisecond), last.Round(time.Millisecond), applied)

	// A tenth of the invited members sign in (odd rows: their invitations
	// stand).
	for lo := 0; lo < applied; lo += 10 * jobPerfUpdateBatch {
		ms = ms[:0]
		for seq := lo + 3; seq < min(lo+10*jobPerfUpdateBatch, applied); seq += 10 {
			m := perfInvitation(jobPerfValidated(seq), time.Time{})
			m.State, m.Source = store.StateLinked, store.SourceSelf
			ms = append(ms, m)
		}
		if _, err := s.ApplyMappings(ctx, fmt.Sprintf("sign-in-%d", lo), ms); err != nil {
			t.Fatal(err)
		}
	}

	timed := func(what string, budget time.Duration, fn func() error) {
		t.Helper()
		start := time.Now()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		d := time.Since(start)
		t.Logf("%s on %d rows: %v", what, n, d.Round(100*time.Microsecond))
		if !raceEnabled && budget > 0 && d > budget {
			t.Errorf("%s took %v; budget %v", what, d, budget)
		}
	}
	timed(fmt.Sprintf("SettleJobInvitations (%d invited rows)", applied), 0, func() error {
		l, e, w, err := s.SettleJobInvitations(ctx, "JPERF", settleAt)
		if want := applied / 10; err == nil && (l != want || e != applied/2 || w != applied/2-want) {
			err = fmt.Errorf("linked %d, expired %d, waiting %d; want %d, %d, %d", l, e, w, want, applied/2, applied/2-want)
		}
		return err
	})
	settled, cancelled := perfModel(""), perfModel("cancelled by admin")
	timed("JobCounts", jobQueryBudget, func() error {
		c, err := s.JobCounts(ctx, "JPERF")
		if err == nil {
			err = checkPerfCounts(c, settled)
		}
		return err
	})

	// Stream the results, with the heap watched.
	var ms0, msNow runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	peak := ms0.HeapAlloc
	next := 0
	start := time.Now()
	err := s.StreamJobRows(ctx, "JPERF", func(r store.JobRow) error {
		if r.Seq != next {
			return fmt.Errorf("row %d, want %d", r.Seq, next)
		}
		next++
		if next%100_000 == 0 {
			runtime.ReadMemStats(&msNow)
			peak = max(peak, msNow.HeapAlloc)
		}
		return nil
	})
	took = time.Since(start)
	if err != nil || next != n {
		t.Fatalf("stream: %v after %d rows", err, next)
	}
	t.Logf("StreamJobRows: %s; heap %.1f MB before, at most %.1f MB while streaming",
		rate(n, took), float64(ms0.HeapAlloc)/(1<<20), float64(peak)/(1<<20))

	timed("CancelJobRows", jobQueryBudget, func() error {
		got, err := s.CancelJobRows(ctx, "JPERF", "cancelled by admin")
		if want := settled.ByOutcome[store.OutcomeNone]; err == nil && got != want {
			err = fmt.Errorf("cancelled %d rows, want %d", got, want)
		}
		return err
	})
	timed("JobCounts (cancelled)", jobQueryBudget, func() error {
		c, err := s.JobCounts(ctx, "JPERF")
		if err == nil {
			err = checkPerfCounts(c, cancelled)
		}
		return err
	})
}

// perfStatus is the status of the seq-th row of the timing job once
// validated, applied and settled.
func perfStatus(seq int) (plan, outcome store.Outcome, reason string, moves bool) {
	switch {
	case seq < jobPerfApplied:
		switch {
		case seq%10 == 3:
			return store.OutcomeInvited, store.OutcomeLinked, "", false
		case seq%2 == 0:
			return store.OutcomeInvited, store.OutcomeInvited, store.JobInvitationExpired, false
		}
		return store.OutcomeInvited, store.OutcomeInvited, "", false
	case seq < jobPerfValidatedRows:
		r := jobPerfValidated(seq)
		return r.Plan, r.Outcome, r.Reason, r.Moves
	}
	return "", "", "", false
}

// perfModel counts the timing job's rows from perfStatus, a job cancelled
// with cancelled (if not empty) ending the rows with no outcome. Its
// Reasons has every reason.
func perfModel(cancelled string) store.JobCounts {
	c := store.JobCounts{ByPlan: outcomes(), ByOutcome: outcomes(), Reasons: map[string]int{}}
	for seq := range jobPerfRows {
		plan, outcome, reason, moves := perfStatus(seq)
		if cancelled != "" && outcome == store.OutcomeNone {
			outcome, reason = store.OutcomeRefused, cancelled
		}
		c.Rows++
		c.ByPlan[plan]++
		c.ByOutcome[outcome]++
		if moves {
			c.Moves++
		}
		if plan == store.OutcomeRefused || outcome == store.OutcomeRefused {
			c.Reasons[reason]++
		}
	}
	return c
}

// checkPerfCounts compares JobCounts with want (perfModel's): the same
// sums, and the most frequent reasons.
func checkPerfCounts(c, want store.JobCounts) error {
	if c.Rows != want.Rows || c.Moves != want.Moves || !maps.Equal(c.ByPlan, want.ByPlan) || !maps.Equal(c.ByOutcome, want.ByOutcome) {
		return fmt.Errorf("counts: %+v, want %+v", c, want)
	}
	if len(c.Reasons) != min(len(want.Reasons), store.MaxJobReasons) {
		return fmt.Errorf("%d reasons, want %d", len(c.Reasons), min(len(want.Reasons), store.MaxJobReasons))
	}
	least := -1
	for r, n := range c.Reasons {
		if want.Reasons[r] != n {
			return fmt.Errorf("reason %q: %d, want %d", r, n, want.Reasons[r])
		}
		if least < 0 || n < least {
			least = n
		}
	}
	for r, n := range want.Reasons {
		if _, ok := c.Reasons[r]; !ok && n > least {
			return fmt.Errorf("reason %q (%d rows) left out for one of %d rows", r, n, least)
		}
	}
	return nil
}

// perfInvitation is the invitation applying row r makes.
func perfInvitation(r store.JobRow, expires time.Time) store.Mapping {
	m := invitation("CPERF", r, expires)
	m.Workspace = "TPERF"
	return m
}
