package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// TestScratchBuild builds the timing job's state (before settle) at $URL.
func TestScratchBuild(t *testing.T) {
	url := os.Getenv("URL")
	if url == "" {
		t.Skip()
	}
	s := openURL(t, url)
	ctx := context.Background()
	n, applied := jobPerfRows, jobPerfApplied
	job := testJob("JPERF", "CPERF", n)
	if err := s.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	rows := make([]store.JobRow, 0, jobPerfAppendBatch)
	for lo := 0; lo < n; lo += jobPerfAppendBatch {
		rows = rows[:0]
		for seq := lo; seq < min(lo+jobPerfAppendBatch, n); seq++ {
			rows = append(rows, jobPerfRow(seq))
		}
		if err := s.AppendJobRows(ctx, "JPERF", rows); err != nil {
			t.Fatal(err)
		}
	}
	for lo := 0; lo < n; lo += jobPerfUpdateBatch {
		rows = rows[:0]
		for seq := lo; seq < min(lo+jobPerfUpdateBatch, n); seq++ {
			rows = append(rows, jobPerfValidated(seq))
		}
		if _, err := s.UpdateJobRows(ctx, fmt.Sprintf("validate-%d", lo), "JPERF", rows, nil); err != nil {
			t.Fatal(err)
		}
	}
	settleAt := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
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
		if _, err := s.UpdateJobRows(ctx, fmt.Sprintf("apply-%d", lo), "JPERF", rows, ms); err != nil {
			t.Fatal(err)
		}
	}
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
}
