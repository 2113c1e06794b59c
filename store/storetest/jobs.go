package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// testJob is a job of connection conn with predictable values.
func testJob(id, conn string, rows int) store.Job {
	return store.Job{
		ID: id, Workspace: "T0001", OrgID: "00D000000000001AAA", ConnectionID: conn,
		FileName: "members.csv", CreatedBy: "U0ADMIN", SlackColumn: "slack_email", SalesforceColumn: "salesforce_username",
		Rows: rows,
	}
}

// createJob creates a job of conn and appends rows 0..n-1 (jobRow).
func createJob(t *testing.T, s store.Store, id, conn string, n int) {
	t.Helper()
	if err := s.CreateJob(context.Background(), testJob(id, conn, n)); err != nil {
		t.Fatalf("create job %s: %v", id, err)
	}
	rows := make([]store.JobRow, n)
	for i := range rows {
		rows[i] = jobRow(i)
	}
	if err := s.AppendJobRows(context.Background(), id, rows); err != nil {
		t.Fatalf("append rows of %s: %v", id, err)
	}
}

// jobRow is the seq-th data row of a file, as read: the keys of member
// "U<seq>" on line seq+2 (after the header).
func jobRow(seq int) store.JobRow {
	return store.JobRow{
		Seq: seq, Line: seq + 2,
		SlackKey: fmt.Sprintf("u%06d@example.com", seq), SalesforceKey: fmt.Sprintf("u%06d@acme.sf", seq),
	}
}

// validated is r as validation fills it, with plan; a refused plan is also
// the row's outcome (a refusal is final), with reason.
func validated(r store.JobRow, plan store.Outcome, reason string) store.JobRow {
	r.SlackUserID, r.SlackEmail, r.SlackName = fmt.Sprintf("U%06d", r.Seq), r.SlackKey, fmt.Sprintf("Member %d", r.Seq)
	r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail = fmt.Sprintf("005%06d", r.Seq), r.SalesforceKey, r.SlackKey
	r.Plan, r.Reason = plan, reason
	if plan == store.OutcomeRefused {
		r.Outcome = store.OutcomeRefused
	}
	return r
}

// invitation is the mapping that applying a validated row makes.
func invitation(conn string, r store.JobRow, expires time.Time) store.Mapping {
	return store.Mapping{
		ConnectionID: conn, Workspace: "T0001", OrgID: "00D000000000001AAA",
		SlackUserID: r.SlackUserID, SlackEmail: r.SlackEmail, SlackName: r.SlackName,
		SalesforceUserID: r.SalesforceUserID, SalesforceUsername: r.SalesforceUsername, SalesforceEmail: r.SalesforceEmail,
		State: store.StateInvited, Source: store.SourceCSV, InviteExpiresAt: expires, UpdatedBy: "job",
	}
}

func jobRows(t *testing.T, s store.Store, id string, from, to int) []store.JobRow {
	t.Helper()
	rows, err := s.JobRows(context.Background(), id, from, to)
	if err != nil {
		t.Fatalf("rows %d..%d of %s: %v", from, to, id, err)
	}
	return rows
}

func updateJob(t *testing.T, s store.Store, key, id string, rows []store.JobRow, ms []store.Mapping) store.ApplyResult {
	t.Helper()
	res, err := s.UpdateJobRows(context.Background(), key, id, rows, ms)
	if err != nil {
		t.Fatalf("update rows of %s (%q): %v", id, key, err)
	}
	return res
}

func jobCounts(t *testing.T, s store.Store, id string) store.JobCounts {
	t.Helper()
	c, err := s.JobCounts(context.Background(), id)
	if err != nil {
		t.Fatalf("counts of %s: %v", id, err)
	}
	return c
}

// checkRecount compares a job's counts with a count of its rows as
// streamed: the counts the store keeps in step with every write must be
// what the rows say.
func checkRecount(t *testing.T, s store.Store, id string) {
	t.Helper()
	want := store.JobCounts{ByPlan: outcomes(), ByOutcome: outcomes()}
	reasons := map[string]int{}
	err := s.StreamJobRows(context.Background(), id, func(r store.JobRow) error {
		want.Rows++
		want.ByPlan[r.Plan]++
		want.ByOutcome[r.Outcome]++
		if r.Moves {
			want.Moves++
		}
		if r.Plan == store.OutcomeRefused || r.Outcome == store.OutcomeRefused {
			reasons[r.Reason]++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("stream %s: %v", id, err)
	}
	got := jobCounts(t, s, id)
	if got.Rows != want.Rows || got.Moves != want.Moves || !maps.Equal(got.ByPlan, want.ByPlan) || !maps.Equal(got.ByOutcome, want.ByOutcome) {
		t.Fatalf("counts of %s: %+v; its rows say %+v", id, got, want)
	}
	for r, n := range got.Reasons {
		if reasons[r] != n {
			t.Fatalf("counts of %s: reason %q %d times; its rows say %d", id, r, n, reasons[r])
		}
	}
	if len(got.Reasons) != min(len(reasons), store.MaxJobReasons) {
		t.Fatalf("counts of %s: %d reasons; its rows have %d", id, len(got.Reasons), len(reasons))
	}
}

// outcomes renders a count map with every outcome, "" as "none".
func outcomes(pairs ...any) map[store.Outcome]int {
	m := map[store.Outcome]int{}
	for _, o := range store.Outcomes {
		m[o] = 0
	}
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i].(store.Outcome)] = pairs[i+1].(int)
	}
	return m
}

func testJobs(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	j := testJob("job-1", "C1", 3)
	j.CreatedAt = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))
	if err := s.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.GetJob(ctx, "job-1")
	if err != nil || !ok {
		t.Fatalf("get: %v %v", ok, err)
	}
	want := j
	want.CreatedAt = j.CreatedAt.UTC().Truncate(time.Microsecond)
	if got != want || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("job: %+v, want %+v", got, want)
	}
	if err := s.CreateJob(ctx, testJob("job-1", "C2", 9)); !errors.Is(err, store.ErrJobExists) {
		t.Fatalf("second job with the id: %v, want ErrJobExists", err)
	}
	if got2, _, _ := s.GetJob(ctx, "job-1"); got2 != want {
		t.Fatalf("refused create changed the job: %+v", got2)
	}
	if _, ok, err := s.GetJob(ctx, "nope"); ok || err != nil {
		t.Fatalf("unknown job: %v %v", ok, err)
	}
	before := time.Now().Add(-time.Second)
	if err := s.CreateJob(ctx, testJob("job-2", "C1", 0)); err != nil {
		t.Fatal(err)
	}
	if j2, _, _ := s.GetJob(ctx, "job-2"); j2.CreatedAt.Before(before) || j2.CreatedAt.Location() != time.UTC {
		t.Fatalf("stamped creation: %v", j2.CreatedAt)
	}
	for _, bad := range []store.Job{testJob("", "C1", 1), testJob("job-3", "", 1), testJob("job-4", "C1", -1)} {
		if err := s.CreateJob(ctx, bad); err == nil {
			t.Errorf("bad job %+v accepted", bad)
		}
	}

	// Every method names an unknown job with ErrNoJob.
	unknown := map[string]error{}
	unknown["AppendJobRows"] = s.AppendJobRows(ctx, "nope", []store.JobRow{jobRow(0)})
	_, unknown["JobRows"] = s.JobRows(ctx, "nope", 0, 10)
	_, unknown["UpdateJobRows"] = s.UpdateJobRows(ctx, "", "nope", []store.JobRow{jobRow(0)}, nil)
	_, unknown["JobCounts"] = s.JobCounts(ctx, "nope")
	unknown["StreamJobRows"] = s.StreamJobRows(ctx, "nope", func(store.JobRow) error { return nil })
	_, _, _, unknown["SettleJobInvitations"] = s.SettleJobInvitations(ctx, "nope", time.Now())
	_, unknown["CancelJobRows"] = s.CancelJobRows(ctx, "nope", "cancelled")
	for m, err := range unknown {
		if !errors.Is(err, store.ErrNoJob) {
			t.Errorf("%s of an unknown job: %v, want ErrNoJob", m, err)
		}
	}
}

func testJobAppend(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	if err := s.CreateJob(ctx, testJob("J1", "C1", 1000)); err != nil {
		t.Fatal(err)
	}
	// Two calls, each out of order; fields beyond the file's are ignored.
	var first, second []store.JobRow
	for i := range 1000 {
		r := jobRow((i * 7919) % 1000)
		r.Plan, r.Outcome, r.Reason = store.OutcomeInvited, store.OutcomeLinked, "ignored"
		if r.Seq < 600 {
			first = append(first, r)
		} else {
			second = append(second, r)
		}
	}
	for _, rows := range [][]store.JobRow{second, first} {
		if err := s.AppendJobRows(ctx, "J1", rows); err != nil {
			t.Fatal(err)
		}
	}
	rows := jobRows(t, s, "J1", 0, 1000)
	if len(rows) != 1000 {
		t.Fatalf("%d rows, want 1000", len(rows))
	}
	for i, r := range rows {
		if r != jobRow(i) {
			t.Fatalf("row %d: %+v, want %+v", i, r, jobRow(i))
		}
	}
	if got := jobRows(t, s, "J1", 10, 20); len(got) != 10 || got[0].Seq != 10 || got[9].Seq != 19 {
		t.Fatalf("rows 10..20: %d rows from %+v", len(got), got)
	}
	if got := jobRows(t, s, "J1", 990, 5000); len(got) != 10 || got[9].Seq != 999 {
		t.Fatalf("rows 990..5000: %d", len(got))
	}
	if got := jobRows(t, s, "J1", 5, 5); got == nil || len(got) != 0 {
		t.Fatalf("rows 5..5: %v", got)
	}

	// A retried append (here with more rows, and different values for the
	// stored ones) writes the new rows only.
	retry := []store.JobRow{}
	for seq := 990; seq < 1010; seq++ {
		r := jobRow(seq)
		r.SlackKey = "changed"
		retry = append(retry, r)
	}
	for range 2 {
		if err := s.AppendJobRows(ctx, "J1", retry); err != nil {
			t.Fatalf("retried append: %v", err)
		}
	}
	got := jobRows(t, s, "J1", 980, 2000)
	if len(got) != 30 || got[10].SlackKey != jobRow(990).SlackKey || got[20].SlackKey != "changed" || got[29].Seq != 1009 {
		t.Fatalf("after retried append: %d rows: %+v … %+v", len(got), got[10], got[len(got)-1])
	}
	if c := jobCounts(t, s, "J1"); c.Rows != 1010 {
		t.Fatalf("counted %d rows, want 1010", c.Rows)
	}

	// A bad batch is refused whole.
	for name, bad := range map[string][]store.JobRow{
		"repeated seq": {jobRow(2000), jobRow(2001), jobRow(2000)},
		"negative seq": {jobRow(2000), jobRow(-1)},
	} {
		if err := s.AppendJobRows(ctx, "J1", bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := jobRows(t, s, "J1", 1010, 3000); len(got) != 0 {
		t.Fatalf("a refused append wrote %d rows", len(got))
	}
	if err := s.AppendJobRows(ctx, "J1", nil); err != nil {
		t.Fatalf("empty append: %v", err)
	}

	// Jobs do not share rows.
	if err := s.CreateJob(ctx, testJob("J2", "C1", 1)); err != nil {
		t.Fatal(err)
	}
	other := jobRow(0)
	other.SlackKey = "someone@else.com"
	if err := s.AppendJobRows(ctx, "J2", []store.JobRow{other}); err != nil {
		t.Fatal(err)
	}
	if got := jobRows(t, s, "J2", 0, 10); len(got) != 1 || got[0].SlackKey != "someone@else.com" {
		t.Fatalf("J2: %+v", got)
	}
	if got := jobRows(t, s, "J1", 0, 1); got[0].SlackKey != jobRow(0).SlackKey {
		t.Fatalf("J1 row 0 after J2's append: %+v", got[0])
	}
	checkRecount(t, s, "J1")
}

func testJobAppendConcurrent(t *testing.T, b Backend) {
	s, url := open(t, b)
	other := openURL(t, url) // a second process
	if err := s.CreateJob(context.Background(), testJob("J1", "C1", 3000)); err != nil {
		t.Fatal(err)
	}
	// Four writers append overlapping ranges at once (retries racing the
	// first attempt): every row is stored once.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			var rows []store.JobRow
			for seq := i * 500; seq < i*500+1500; seq++ {
				rows = append(rows, jobRow(seq))
			}
			errs[i] = st.AppendJobRows(context.Background(), "J1", rows)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	rows := jobRows(t, s, "J1", 0, 10000)
	if len(rows) != 3000 {
		t.Fatalf("%d rows, want 3000", len(rows))
	}
	for i, r := range rows {
		if r.Seq != i {
			t.Fatalf("row %d has seq %d", i, r.Seq)
		}
	}
	checkRecount(t, s, "J1")
}

func testJobUpdate(t *testing.T, b Backend) {
	s, _ := open(t, b)
	createJob(t, s, "J1", "C1", 10)
	// Validation: rows 0..4 get their plans, no mapping changes.
	var v []store.JobRow
	for seq, plan := range []store.Outcome{store.OutcomeInvited, store.OutcomeInvited, store.OutcomeInvited, store.OutcomeUnchanged, store.OutcomeRefused} {
		reason := ""
		if plan == store.OutcomeRefused {
			reason = "unknown Slack member"
		}
		r := validated(jobRow(seq), plan, reason)
		r.Line, r.SlackKey = 999, "not written" // the file's values stay
		v = append(v, r)
	}
	v[2].Moves = true
	at := time.Date(2026, 4, 1, 8, 0, 0, 999, time.UTC)
	v[3].UpdatedAt = at
	before := time.Now().Add(-time.Second)
	if res := updateJob(t, s, "validate-0", "J1", v, nil); res != (store.ApplyResult{}) {
		t.Fatalf("validation result: %+v", res)
	}
	rows := jobRows(t, s, "J1", 0, 10)
	for i, r := range rows[:5] {
		want := v[i]
		want.Line, want.SlackKey = jobRow(i).Line, jobRow(i).SlackKey
		want.UpdatedAt = r.UpdatedAt
		if r != want {
			t.Errorf("row %d: %+v, want %+v", i, r, want)
		}
		if r.UpdatedAt.Location() != time.UTC || (i == 3 && !r.UpdatedAt.Equal(at.Truncate(time.Microsecond))) || (i != 3 && r.UpdatedAt.Before(before)) {
			t.Errorf("row %d: updated at %v", i, r.UpdatedAt)
		}
	}
	for i, r := range rows[5:] {
		if r != jobRow(5+i) {
			t.Errorf("row %d was touched: %+v", 5+i, r)
		}
	}
	// The file's rows sent again (a retried upload) change nothing,
	// validated or not.
	var again []store.JobRow
	for seq := range 10 {
		again = append(again, jobRow(seq))
	}
	if err := s.AppendJobRows(context.Background(), "J1", again); err != nil {
		t.Fatal(err)
	}
	if got := jobRows(t, s, "J1", 0, 10); !slices.Equal(got, rows) {
		t.Errorf("rows after the file was sent again:\n%+v\nwant\n%+v", got, rows)
	}
	checkRecount(t, s, "J1")
	// One write of rows validated already and rows not yet.
	mixed := []store.JobRow{validated(rows[4], store.OutcomeRefused, "changed its mind"), validated(rows[5], store.OutcomeInvited, "")}
	updateJob(t, s, "validate-again", "J1", mixed, nil)
	rows = jobRows(t, s, "J1", 0, 10)
	if r := rows[4]; r.Plan != store.OutcomeRefused || r.Reason != "changed its mind" || r.Line != jobRow(4).Line {
		t.Errorf("row 4 validated again: %+v", r)
	}
	if r := rows[5]; r.Plan != store.OutcomeInvited || r.SlackKey != jobRow(5).SlackKey || r.Line != jobRow(5).Line {
		t.Errorf("row 5 validated: %+v", r)
	}
	checkRecount(t, s, "J1")

	// Applying: the invited rows' mappings and outcomes together; a member
	// who already has a mapping is updated.
	apply(t, s, "existing", []store.Mapping{mapping("C1", v[2].SlackUserID)})
	var a []store.JobRow
	var ms []store.Mapping
	expires := time.Now().Add(72 * time.Hour)
	for _, r := range rows[:3] {
		r.Outcome = store.OutcomeInvited
		a = append(a, r)
		ms = append(ms, invitation("C1", r, expires))
	}
	u := rows[3]
	u.Outcome = store.OutcomeUnchanged
	a = append(a, u)
	if res := updateJob(t, s, "apply-0", "J1", a, ms); res != (store.ApplyResult{Inserted: 2, Updated: 1}) {
		t.Fatalf("apply result: %+v", res)
	}
	for _, r := range jobRows(t, s, "J1", 0, 4) {
		want := store.OutcomeInvited
		if r.Seq == 3 {
			want = store.OutcomeUnchanged
		}
		if r.Outcome != want || r.Plan == store.OutcomeNone {
			t.Errorf("row %d after apply: %+v", r.Seq, r)
		}
	}
	for _, m := range ms {
		got := mustGet(t, s, "C1", m.SlackUserID)
		if got.State != store.StateInvited || got.SalesforceUserID != m.SalesforceUserID || got.Source != store.SourceCSV ||
			!got.InviteExpiresAt.Equal(expires.UTC().Truncate(time.Microsecond)) {
			t.Errorf("mapping of %s: %+v", m.SlackUserID, got)
		}
	}
	// An empty update is fine.
	if res := updateJob(t, s, "", "J1", nil, nil); res != (store.ApplyResult{}) {
		t.Fatalf("empty update: %+v", res)
	}
	checkRecount(t, s, "J1")
}

func testJobUpdateReplay(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	createJob(t, s, "J1", "C1", 4)
	r0 := validated(jobRow(0), store.OutcomeInvited, "")
	r0.Outcome = store.OutcomeInvited
	first := updateJob(t, s, "job-J1/apply/0", "J1", []store.JobRow{r0}, []store.Mapping{invitation("C1", r0, time.Time{})})
	if first != (store.ApplyResult{Inserted: 1}) {
		t.Fatalf("first: %+v", first)
	}
	// The retried activity, even with other rows, writes nothing and
	// answers as the first time.
	r1 := validated(jobRow(1), store.OutcomeInvited, "")
	r1.Outcome = store.OutcomeInvited
	changed := r0
	changed.Outcome, changed.Reason = store.OutcomeRefused, "changed"
	again := updateJob(t, s, "job-J1/apply/0", "J1", []store.JobRow{changed, r1}, []store.Mapping{invitation("C1", r1, time.Time{})})
	if !again.Replayed || again.Inserted != 1 || again.Updated != 0 || again.Unchanged != 0 {
		t.Fatalf("replay: %+v", again)
	}
	rows := jobRows(t, s, "J1", 0, 4)
	if rows[0].Outcome != store.OutcomeInvited || rows[0].Reason != "" || rows[1].Outcome != store.OutcomeNone {
		t.Fatalf("replay wrote rows: %+v", rows[:2])
	}
	if _, ok := get(t, s, "C1", r1.SlackUserID); ok {
		t.Fatal("replay wrote a mapping")
	}
	// Keys belong to one kind of write.
	if _, err := s.ApplyMappings(ctx, "job-J1/apply/0", []store.Mapping{mapping("C1", "UX")}); !errors.Is(err, store.ErrKeyReused) {
		t.Fatalf("apply with an update key: %v, want ErrKeyReused", err)
	}
	apply(t, s, "apply-key", []store.Mapping{mapping("C1", "UY")})
	if _, err := s.UpdateJobRows(ctx, "apply-key", "J1", []store.JobRow{r1}, nil); !errors.Is(err, store.ErrKeyReused) {
		t.Fatalf("update with an apply key: %v, want ErrKeyReused", err)
	}
	// No key: written every time.
	for range 2 {
		if res := updateJob(t, s, "", "J1", []store.JobRow{r1}, []store.Mapping{invitation("C1", r1, time.Time{})}); res.Replayed {
			t.Fatalf("keyless update replayed: %+v", res)
		}
	}
	if rows := jobRows(t, s, "J1", 1, 2); rows[0].Outcome != store.OutcomeInvited {
		t.Fatalf("keyless update: %+v", rows[0])
	}
}

func testJobUpdateConcurrentSameKey(t *testing.T, b Backend) {
	s, url := open(t, b)
	other := openURL(t, url) // a second process
	createJob(t, s, "J1", "C1", 300)
	const n = 6
	results := make([]store.ApplyResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			rows := make([]store.JobRow, 300)
			ms := make([]store.Mapping, 300)
			for seq := range rows {
				rows[seq] = validated(jobRow(seq), store.OutcomeInvited, "")
				rows[seq].Outcome, rows[seq].Reason = store.OutcomeInvited, fmt.Sprintf("writer %d", i)
				ms[seq] = invitation("C1", rows[seq], time.Time{})
			}
			results[i], errs[i] = st.UpdateJobRows(context.Background(), "same-key", "J1", rows, ms)
		})
	}
	wg.Wait()
	applied := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("update %d: %v", i, errs[i])
		}
		if !results[i].Replayed {
			applied++
		}
		if results[i].Inserted != 300 {
			t.Fatalf("update %d: %+v", i, results[i])
		}
	}
	if applied != 1 {
		t.Fatalf("%d calls applied the same key, want 1", applied)
	}
	reasons := map[string]int{}
	for _, r := range jobRows(t, s, "J1", 0, 300) {
		reasons[r.Reason]++
	}
	if len(reasons) != 1 {
		t.Fatalf("rows written by several calls: %v", reasons)
	}
	checkRecount(t, s, "J1")
}

func testJobUpdateConcurrentRows(t *testing.T, b Backend) {
	s, url := open(t, b)
	other := openURL(t, url) // a second process
	createJob(t, s, "J1", "C1", 500)
	// Four writers without keys rewrite the same rows, each its own way,
	// several times over: the rows end as one of them wrote them, and the
	// counts as the rows are.
	plans := []store.Outcome{store.OutcomeInvited, store.OutcomeRefused, store.OutcomeUnchanged, store.OutcomeLinked}
	var wg sync.WaitGroup
	errs := make([]error, len(plans))
	for i, plan := range plans {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			for round := range 5 {
				rows := make([]store.JobRow, 0, 500)
				for seq := range 500 {
					r := validated(jobRow(seq), plan, fmt.Sprintf("writer %d", i))
					r.Moves = (seq+round)%3 == 0
					rows = append(rows, r)
				}
				if _, err := st.UpdateJobRows(context.Background(), "", "J1", rows, nil); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	checkRecount(t, s, "J1")
}

func testJobUpdateRefusesBadBatch(t *testing.T, b Backend) {
	s, url := open(t, b)
	ctx := context.Background()
	createJob(t, s, "J1", "C1", 3)
	good := func() ([]store.JobRow, []store.Mapping) {
		var rows []store.JobRow
		var ms []store.Mapping
		for seq := range 3 {
			r := validated(jobRow(seq), store.OutcomeInvited, "")
			r.Outcome = store.OutcomeInvited
			rows = append(rows, r)
			ms = append(ms, invitation("C1", r, time.Time{}))
		}
		return rows, ms
	}
	bad := map[string]func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping){
		"seq not in the job": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			return append(rows, validated(jobRow(7), store.OutcomeInvited, "")), ms
		},
		"repeated seq": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			return append(rows, rows[1]), ms
		},
		"bad plan": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			rows[2].Plan = "maybe"
			return rows, ms
		},
		"bad outcome": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			rows[0].Outcome = "mapped"
			return rows, ms
		},
		"mapping of another connection": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			ms[1].ConnectionID = "C2"
			return rows, ms
		},
		"bad mapping": func(rows []store.JobRow, ms []store.Mapping) ([]store.JobRow, []store.Mapping) {
			ms[2].State = "mapped"
			return rows, ms
		},
	}
	for name, spoil := range bad {
		rows, ms := spoil(good())
		if _, err := s.UpdateJobRows(ctx, "batch-0", "J1", rows, ms); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "seq not in the job" && !strings.Contains(err.Error(), "seq 7") {
			t.Errorf("%s: %v does not name the row", name, err)
		}
	}
	// Nothing was half-applied, and the key is not burned.
	for _, r := range jobRows(t, s, "J1", 0, 3) {
		if r != jobRow(r.Seq) {
			t.Fatalf("a refused batch wrote row %+v", r)
		}
	}
	if c := b.QueryInt(t, url, `SELECT count(*) FROM mappings`); c != 0 {
		t.Fatalf("a refused batch wrote %d mappings", c)
	}
	rows, ms := good()
	if res := updateJob(t, s, "batch-0", "J1", rows, ms); res.Replayed || res.Inserted != 3 {
		t.Fatalf("key of refused batches: %+v", res)
	}
}

func testJobCounts(t *testing.T, b Backend) {
	s, _ := open(t, b)
	createJob(t, s, "J1", "C1", 100)
	createJob(t, s, "J2", "C1", 7) // another job's rows are not counted
	c := jobCounts(t, s, "J1")
	if c.Rows != 100 || !maps.Equal(c.ByPlan, outcomes(store.OutcomeNone, 100)) || !maps.Equal(c.ByOutcome, outcomes(store.OutcomeNone, 100)) ||
		len(c.Reasons) != 0 || c.Reasons == nil || c.Moves != 0 {
		t.Fatalf("fresh job: %+v", c)
	}

	// Rows 0..29 refused with 25 reasons (the first five twice), 30..69
	// planned invited (5 of them moves), 70..79 unchanged, 80..99 not
	// validated yet.
	var rows []store.JobRow
	for seq := range 80 {
		switch {
		case seq < 10:
			rows = append(rows, validated(jobRow(seq), store.OutcomeRefused, fmt.Sprintf("reason %02d", seq/2)))
		case seq < 30:
			rows = append(rows, validated(jobRow(seq), store.OutcomeRefused, fmt.Sprintf("reason %02d", seq-5)))
		case seq < 70:
			r := validated(jobRow(seq), store.OutcomeInvited, "")
			r.Moves = seq < 35
			rows = append(rows, r)
		default:
			rows = append(rows, validated(jobRow(seq), store.OutcomeUnchanged, ""))
		}
	}
	updateJob(t, s, "validate", "J1", rows, nil)
	c = jobCounts(t, s, "J1")
	wantReasons := map[string]int{}
	for i := range 20 { // ties (1 row each) go to the smaller reason
		wantReasons[fmt.Sprintf("reason %02d", i)] = map[bool]int{true: 2, false: 1}[i < 5]
	}
	if c.Rows != 100 || c.Moves != 5 || !maps.Equal(c.Reasons, wantReasons) ||
		!maps.Equal(c.ByPlan, outcomes(store.OutcomeRefused, 30, store.OutcomeInvited, 40, store.OutcomeUnchanged, 10, store.OutcomeNone, 20)) ||
		!maps.Equal(c.ByOutcome, outcomes(store.OutcomeRefused, 30, store.OutcomeNone, 70)) {
		t.Fatalf("validated: %+v", c)
	}

	// Applying: 30 invited, 5 refused after all (changed since the plan:
	// counted once, under the outcome's reason), 10 unchanged.
	var applied []store.JobRow
	for _, r := range rows[30:] {
		switch {
		case r.Seq < 60:
			r.Outcome = store.OutcomeInvited
		case r.Seq < 65:
			r.Outcome, r.Reason = store.OutcomeRefused, "changed since the plan"
		case r.Seq >= 70:
			r.Outcome = store.OutcomeUnchanged
		default:
			continue
		}
		applied = append(applied, r)
	}
	updateJob(t, s, "apply", "J1", applied, nil)
	c = jobCounts(t, s, "J1")
	if c.Reasons["changed since the plan"] != 5 || len(c.Reasons) != 20 || c.Reasons["reason 19"] != 0 || c.Reasons["reason 14"] != 1 ||
		!maps.Equal(c.ByOutcome, outcomes(store.OutcomeRefused, 35, store.OutcomeInvited, 30, store.OutcomeUnchanged, 10, store.OutcomeNone, 25)) ||
		!maps.Equal(c.ByPlan, outcomes(store.OutcomeRefused, 30, store.OutcomeInvited, 40, store.OutcomeUnchanged, 10, store.OutcomeNone, 20)) {
		t.Fatalf("applied: %+v", c)
	}
	if c2 := jobCounts(t, s, "J2"); c2.Rows != 7 || c2.ByPlan[store.OutcomeNone] != 7 {
		t.Fatalf("J2: %+v", c2)
	}
	checkRecount(t, s, "J1")
}

func testJobStream(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	const total = 12001
	if err := s.CreateJob(ctx, testJob("J1", "C1", total)); err != nil {
		t.Fatal(err)
	}
	rows := make([]store.JobRow, total)
	for i := range rows {
		rows[i] = jobRow((i * 7919) % total) // appended out of order
	}
	if err := s.AppendJobRows(ctx, "J1", rows); err != nil {
		t.Fatal(err)
	}
	createJob(t, s, "J0", "C1", 3)

	var pages []int
	if b.ObservePages != nil {
		b.ObservePages(s, func(n int) { pages = append(pages, n) })
	}
	next := 0
	err := s.StreamJobRows(ctx, "J1", func(r store.JobRow) error {
		if r != jobRow(next) {
			return fmt.Errorf("row %+v, want seq %d", r, next)
		}
		next++
		return nil
	})
	if err != nil || next != total {
		t.Fatalf("stream: %v after %d rows", err, next)
	}
	if b.ObservePages != nil {
		if len(pages) < 3 || slices.Max(pages) > 5000 {
			t.Fatalf("pages read: %v; want pages of at most 5000", pages)
		}
		t.Logf("12,001 rows streamed in pages of %v", pages)
		b.ObservePages(s, nil)
	}

	// fn may use the store while streaming (here: write the rows it sees,
	// across a page boundary), and its error stops the stream.
	stop := errors.New("enough")
	seen := 0
	err = s.StreamJobRows(ctx, "J1", func(r store.JobRow) error {
		if seen == 5001 {
			return stop
		}
		seen++
		if seen%1000 == 0 {
			r.Plan, r.Outcome, r.Reason = store.OutcomeRefused, store.OutcomeRefused, "seen"
			if _, err := s.UpdateJobRows(ctx, "", "J1", []store.JobRow{r}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 5001 {
		t.Fatalf("stopped stream: %v after %d", err, seen)
	}
	if c := jobCounts(t, s, "J1"); c.ByOutcome[store.OutcomeRefused] != 5 {
		t.Fatalf("writes while streaming: %+v", c)
	}
	if err := s.CreateJob(ctx, testJob("empty", "C1", 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.StreamJobRows(ctx, "empty", func(store.JobRow) error { return errors.New("called") }); err != nil {
		t.Fatalf("empty job: %v", err)
	}
}

func testJobSettle(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	createJob(t, s, "J1", "C1", 10)
	createJob(t, s, "J2", "C1", 10) // another job inviting the same members
	// Rows 0..7 invited by the job; row 8 linked, row 9 not applied.
	var rows []store.JobRow
	var ms []store.Mapping
	for seq := range 10 {
		r := validated(jobRow(seq), store.OutcomeInvited, "")
		switch {
		case seq < 8:
			r.Outcome = store.OutcomeInvited
			expires := now.Add(time.Hour)
			switch seq {
			case 3:
				expires = now.Add(-time.Minute)
			case 4:
				expires = now.Add(-2 * time.Hour)
			case 6:
				expires = time.Time{} // never expires
			}
			ms = append(ms, invitation("C1", r, expires))
		case seq == 8:
			r.Outcome = store.OutcomeLinked
		}
		rows = append(rows, r)
	}
	updateJob(t, s, "apply", "J1", rows, ms)
	j2 := slices.Clone(rows)
	updateJob(t, s, "apply-j2", "J2", j2, nil)

	// Member 0 signs in; member 1 is linked to another user; member 2's
	// mapping is cleared; member 3's invitation passed its time; member 4's
	// was expired (cleared) already; member 7 was invited to another user.
	signIn := func(seq int, sfUser string) {
		m := invitation("C1", rows[seq], time.Time{})
		m.State, m.SalesforceUserID, m.Source = store.StateLinked, sfUser, store.SourceSelf
		apply(t, s, fmt.Sprintf("sign-in-%d-%s", seq, sfUser), []store.Mapping{m})
	}
	signIn(0, rows[0].SalesforceUserID)
	signIn(1, "005OTHER")
	if ok, err := s.ClearMapping(ctx, "clear-2", "C1", rows[2].SlackUserID, "sfadmin", now); err != nil || !ok {
		t.Fatalf("clear: %v %v", ok, err)
	}
	if n, err := s.ExpireInvitations(ctx, "C1", now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("expire: %d %v; want member 4's", n, err)
	}
	reinvite := invitation("C1", rows[7], now.Add(time.Hour))
	reinvite.SalesforceUserID = "005ELSE"
	apply(t, s, "reinvite-7", []store.Mapping{reinvite})

	settle := func(at time.Time) (int, int, int) {
		t.Helper()
		l, e, w, err := s.SettleJobInvitations(ctx, "J1", at)
		if err != nil {
			t.Fatalf("settle: %v", err)
		}
		return l, e, w
	}
	if l, e, w := settle(now); l != 1 || e != 5 || w != 2 {
		t.Fatalf("settle: linked %d, expired %d, waiting %d; want 1, 5, 2", l, e, w)
	}
	got := jobRows(t, s, "J1", 0, 10)
	for _, r := range got {
		outcome, reason := store.OutcomeInvited, ""
		switch r.Seq {
		case 0:
			outcome = store.OutcomeLinked
		case 1, 2, 3, 4, 7:
			reason = store.JobInvitationExpired
		case 8:
			outcome = store.OutcomeLinked
		case 9:
			outcome = store.OutcomeNone
		}
		if r.Outcome != outcome || r.Reason != reason {
			t.Errorf("row %d: %s %q, want %s %q", r.Seq, r.Outcome, r.Reason, outcome, reason)
		}
		if (r.Seq == 0 || r.Reason != "") && !r.UpdatedAt.Equal(now) {
			t.Errorf("row %d settled at %v, want %v", r.Seq, r.UpdatedAt, now)
		}
	}
	// Settling again changes nothing; the other job is untouched.
	if l, e, w := settle(now); l != 0 || e != 0 || w != 2 {
		t.Fatalf("settle again: %d, %d, %d", l, e, w)
	}
	if c := jobCounts(t, s, "J2"); c.ByOutcome[store.OutcomeInvited] != 8 {
		t.Fatalf("J2 was settled: %+v", c)
	}
	// Later: member 5 signs in, member 1 (noted expired) is linked to the
	// row's user after all, and time passes member 5's expiry.
	signIn(5, rows[5].SalesforceUserID)
	signIn(1, rows[1].SalesforceUserID)
	if l, e, w := settle(now.Add(2 * time.Hour)); l != 2 || e != 0 || w != 1 {
		t.Fatalf("settle later: %d, %d, %d; want 2, 0, 1", l, e, w)
	}
	if r := jobRows(t, s, "J1", 1, 2)[0]; r.Outcome != store.OutcomeLinked || r.Reason != "" {
		t.Fatalf("row 1 linked after expiry note: %+v", r)
	}
	c := jobCounts(t, s, "J1")
	if !maps.Equal(c.ByOutcome, outcomes(store.OutcomeLinked, 4, store.OutcomeInvited, 5, store.OutcomeNone, 1)) {
		t.Fatalf("counts: %+v", c)
	}
	checkRecount(t, s, "J1")
	checkRecount(t, s, "J2")
}

func testJobCancel(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	createJob(t, s, "J1", "C1", 10)
	createJob(t, s, "J2", "C1", 4)
	// Done: 0 linked, 1 invited, 2 refused. Not done: 3 planned, 4
	// refused by plan only, 5..9 not validated.
	r0 := validated(jobRow(0), store.OutcomeInvited, "")
	r0.Outcome = store.OutcomeLinked
	r1 := validated(jobRow(1), store.OutcomeInvited, "")
	r1.Outcome = store.OutcomeInvited
	r2 := validated(jobRow(2), store.OutcomeRefused, "unknown Slack member")
	r3 := validated(jobRow(3), store.OutcomeInvited, "")
	r4 := validated(jobRow(4), store.OutcomeRefused, "duplicate in the file")
	r4.Outcome = store.OutcomeNone
	updateJob(t, s, "", "J1", []store.JobRow{r0, r1, r2, r3, r4}, []store.Mapping{invitation("C1", r1, time.Time{})})
	done := jobRows(t, s, "J1", 0, 3)

	before := time.Now().Add(-time.Second)
	n, err := s.CancelJobRows(ctx, "J1", "cancelled by admin")
	if err != nil || n != 7 {
		t.Fatalf("cancel: %d, %v; want 7", n, err)
	}
	rows := jobRows(t, s, "J1", 0, 10)
	if !slices.Equal(rows[:3], done) {
		t.Fatalf("done rows changed: %+v, were %+v", rows[:3], done)
	}
	for _, r := range rows[3:] {
		if r.Outcome != store.OutcomeRefused || r.Reason != "cancelled by admin" || r.UpdatedAt.Before(before) {
			t.Errorf("row %d after cancel: %+v", r.Seq, r)
		}
	}
	if rows[3].Plan != store.OutcomeInvited || rows[5].Plan != store.OutcomeNone || rows[3].SlackUserID != r3.SlackUserID {
		t.Errorf("cancel changed plans: %+v, %+v", rows[3], rows[5])
	}
	var streamed []store.JobRow
	if err := s.StreamJobRows(ctx, "J1", func(r store.JobRow) error { streamed = append(streamed, r); return nil }); err != nil || !slices.Equal(streamed, rows) {
		t.Fatalf("streamed rows differ from JobRows: %v", err)
	}
	c := jobCounts(t, s, "J1")
	if !maps.Equal(c.ByOutcome, outcomes(store.OutcomeLinked, 1, store.OutcomeInvited, 1, store.OutcomeRefused, 8)) ||
		!maps.Equal(c.ByPlan, outcomes(store.OutcomeInvited, 3, store.OutcomeRefused, 2, store.OutcomeNone, 5)) ||
		!maps.Equal(c.Reasons, map[string]int{"unknown Slack member": 1, "cancelled by admin": 7}) {
		t.Fatalf("counts after cancel: %+v", c)
	}
	// Cancelling again ends nothing more; the other job is not cancelled;
	// the invitation the job made is still followed.
	if n, err := s.CancelJobRows(ctx, "J1", "again"); err != nil || n != 0 {
		t.Fatalf("cancel again: %d, %v", n, err)
	}
	if c := jobCounts(t, s, "J2"); c.ByOutcome[store.OutcomeNone] != 4 {
		t.Fatalf("J2: %+v", c)
	}
	if _, _, w, err := s.SettleJobInvitations(ctx, "J1", time.Now()); err != nil || w != 1 {
		t.Fatalf("settle a cancelled job: %d waiting, %v", w, err)
	}
	if _, err := s.CancelJobRows(ctx, "J2", ""); err == nil {
		t.Fatal("cancel without a reason accepted")
	}
	checkRecount(t, s, "J1")
}
