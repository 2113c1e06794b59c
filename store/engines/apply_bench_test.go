package engines_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines"

	"github.com/sfconnect/sfconnect/store"
)

// BenchmarkApplyMillion measures what a CSV job of a million new members
// costs the SQLite store: validation's writes (every row's resolution),
// then applying every row, each inviting a new member (a new mapping), in
// batches as the workflow sends them. Once per run (a run is a minute):
//
//	go test ./store -run '^$' -bench ApplyMillion -benchtime 1x
//
// The keys of the mapping indexes follow the file's order (sequential) or
// not (scattered: names and emails in no relation to the member ids, as in
// a real directory): the difference is what scattered index inserts cost.
func BenchmarkApplyMillion(b *testing.B) {
	for _, c := range []struct {
		name      string
		scattered bool
		batch     int
		drop      []string // indexes dropped first, to see what they cost
	}{
		{"sequential/batch=10000", false, 10000, nil},
		{"scattered/batch=10000", true, 10000, nil},
		{"scattered/batch=50000", true, 50000, nil},
		{"scattered/batch=10000/without-salesforce-search-indexes", true, 10000,
			[]string{"mappings_search_sf_username", "mappings_search_sf_email"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				validate, apply := applyMillion(b, c.scattered, c.batch, c.drop)
				b.ReportMetric(validate.Seconds(), "validate-s")
				b.ReportMetric(apply.Seconds(), "apply-s")
				b.ReportMetric(1e6/apply.Seconds(), "applied-rows/s")
			}
		})
	}
}

func applyMillion(b *testing.B, scattered bool, batch int, drop []string) (validate, apply time.Duration) {
	b.Helper()
	const n = 1_000_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "store.db")
	s, err := store.MigrateAndOpen(ctx, "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if len(drop) > 0 {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			b.Fatal(err)
		}
		for _, ix := range drop {
			if _, err := db.Exec(`DROP INDEX ` + ix); err != nil {
				b.Fatal(err)
			}
		}
		db.Close()
	}
	const conn = "T0BENCH001-00D000000000001AAA-1764070000000" // as long as a real one
	job := store.Job{ID: "J", Workspace: "T0BENCH001", OrgID: "00D000000000001AAA", ConnectionID: conn,
		FileName: "f.csv", CreatedBy: "U0ADMIN", SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_username", Rows: n}
	if err := s.CreateJob(ctx, job); err != nil {
		b.Fatal(err)
	}
	row := func(seq int) store.JobRow {
		h := seq
		if scattered {
			h = (seq * 7919) % n // a permutation: 7919 is prime to 10^6
		}
		email := fmt.Sprintf("user%d@example.com", h)
		return store.JobRow{Seq: seq, Line: seq + 2, SlackKey: fmt.Sprintf("U%09d", seq), SalesforceKey: email,
			SlackUserID: fmt.Sprintf("U%09d", seq), SlackEmail: email, SlackName: fmt.Sprintf("Person %d", h),
			SalesforceUserID: fmt.Sprintf("005%015d", seq), SalesforceUsername: email, SalesforceEmail: email,
			Plan: store.OutcomeInvited}
	}
	rows := make([]store.JobRow, 0, 50000)
	for lo := 0; lo < n; lo += 50000 {
		rows = rows[:0]
		for seq := lo; seq < lo+50000; seq++ {
			rows = append(rows, row(seq))
		}
		if err := s.AppendJobRows(ctx, job.ID, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for lo := 0; lo < n; lo += 10000 {
		rows = rows[:0]
		for seq := lo; seq < lo+10000; seq++ {
			rows = append(rows, row(seq))
		}
		if _, err := s.UpdateJobRows(ctx, fmt.Sprintf("validate/%d", lo), job.ID, rows, nil); err != nil {
			b.Fatal(err)
		}
	}
	validate = time.Since(start)
	expires := time.Now().Add(time.Hour)
	ms := make([]store.Mapping, 0, batch)
	start = time.Now()
	for lo := 0; lo < n; lo += batch {
		ms = ms[:0]
		for seq := lo; seq < min(lo+batch, n); seq++ {
			r := row(seq)
			ms = append(ms, store.Mapping{ConnectionID: conn, Workspace: job.Workspace, OrgID: job.OrgID,
				SlackUserID: r.SlackUserID, SlackEmail: r.SlackEmail, SlackName: r.SlackName,
				SalesforceUserID: r.SalesforceUserID, SalesforceUsername: r.SalesforceUsername, SalesforceEmail: r.SalesforceEmail,
				State: store.StateInvited, Source: store.SourceCSV, InviteExpiresAt: expires, UpdatedBy: "job J"})
		}
		if _, err := s.ApplyPlannedJobRows(ctx, fmt.Sprintf("apply/%d", lo), job.ID, lo, min(lo+batch, n), nil, ms); err != nil {
			b.Fatal(err)
		}
	}
	apply = time.Since(start)
	b.StopTimer()
	c, err := s.JobCounts(ctx, job.ID)
	if err != nil || c.ByOutcome[store.OutcomeInvited] != n {
		b.Fatalf("counts after apply: %+v, %v", c.ByOutcome, err)
	}
	return validate, apply
}
