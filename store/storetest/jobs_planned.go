package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// testJobApplyPlanned: an apply batch over rows planned by validation
// writes only the rows whose outcome differs from their plan; every other
// planned row of its range takes its plan as outcome in the database, with
// the counts moved, and nothing outside the range or without a plan
// changes. A retry with the key changes nothing.
func testJobApplyPlanned(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	createJob(t, s, "J1", "C1", 7)
	r0 := validated(jobRow(0), store.OutcomeInvited, "")
	r1 := validated(jobRow(1), store.OutcomeUnchanged, "")
	r2 := validated(jobRow(2), store.OutcomeInvited, "")
	r2.Moves = true
	r3 := validated(jobRow(3), store.OutcomeRefused, "unknown Slack member")
	r4 := validated(jobRow(4), store.OutcomeInvited, "") // its plan is overturned at apply
	r6 := validated(jobRow(6), store.OutcomeInvited, "") // outside the batch
	updateJob(t, s, "validate", "J1", []store.JobRow{r0, r1, r2, r3, r4, r6}, nil)
	// Row 5 has no plan (not validated): the batch leaves it alone.

	overturned := r4
	overturned.Plan, overturned.Outcome, overturned.Reason = store.OutcomeRefused, store.OutcomeRefused, "the Salesforce user is mapped to another member"
	before := time.Now().Add(-time.Second)
	res, err := s.ApplyPlannedJobRows(ctx, "apply/0", "J1", 0, 6, []store.JobRow{overturned},
		[]store.Mapping{invitation("C1", r0, time.Time{}), invitation("C1", r2, time.Time{})})
	if err != nil || res != (store.ApplyResult{Inserted: 2}) {
		t.Fatalf("apply planned: %+v, %v", res, err)
	}
	rows := jobRows(t, s, "J1", 0, 7)
	want := []struct {
		outcome store.Outcome
		reason  string
	}{
		{store.OutcomeInvited, ""}, {store.OutcomeUnchanged, ""}, {store.OutcomeInvited, ""},
		{store.OutcomeRefused, "unknown Slack member"}, {store.OutcomeRefused, overturned.Reason},
		{store.OutcomeNone, ""}, {store.OutcomeNone, ""},
	}
	for i, w := range want {
		if rows[i].Outcome != w.outcome || rows[i].Reason != w.reason {
			t.Errorf("row %d: outcome %q reason %q, want %q %q", i, rows[i].Outcome, rows[i].Reason, w.outcome, w.reason)
		}
	}
	if !rows[2].Moves || rows[2].SlackUserID != r2.SlackUserID || rows[2].SalesforceUserID != r2.SalesforceUserID {
		t.Errorf("row 2 lost its validation: %+v", rows[2])
	}
	if rows[0].UpdatedAt.Before(before) {
		t.Errorf("row 0 not stamped: %v", rows[0].UpdatedAt)
	}
	c, err := s.JobCounts(ctx, "J1")
	if err != nil {
		t.Fatal(err)
	}
	if c.ByOutcome[store.OutcomeInvited] != 2 || c.ByOutcome[store.OutcomeUnchanged] != 1 || c.ByOutcome[store.OutcomeRefused] != 2 ||
		c.ByOutcome[store.OutcomeNone] != 2 || c.Moves != 1 {
		t.Errorf("counts: %+v", c)
	}
	if m, ok := get(t, s, "C1", r2.SlackUserID); !ok || m.State != store.StateInvited {
		t.Errorf("mapping of row 2: %+v %v", m, ok)
	}

	// The retried batch, its range now with other plans, writes nothing.
	r5 := validated(jobRow(5), store.OutcomeInvited, "")
	updateJob(t, s, "validate-5", "J1", []store.JobRow{r5}, nil)
	again, err := s.ApplyPlannedJobRows(ctx, "apply/0", "J1", 0, 6, nil, nil)
	if err != nil || !again.Replayed || again.Inserted != 2 {
		t.Fatalf("replay: %+v, %v", again, err)
	}
	if rows := jobRows(t, s, "J1", 5, 6); rows[0].Outcome != store.OutcomeNone {
		t.Fatalf("replay applied row 5: %+v", rows[0])
	}
	if _, err := s.ApplyPlannedJobRows(ctx, "", "nope", 0, 1, nil, nil); err == nil {
		t.Fatal("unknown job accepted")
	}
}
