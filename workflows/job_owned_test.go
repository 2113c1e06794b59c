package workflows_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/workflows"
)

// The job's settings are the worker's and its file's rows the store's:
// what its input says of either (as a CLI from its environment would
// put there) changes nothing.
func TestJobReadsItsSettingsAndFileFromTheWorkerAndTheStore(t *testing.T) {
	f := newJobFixture(t, counts(25, 0, 0))
	f.storeFile(jobSettings, 25) // batches of 10
	f.uploaded(0)
	in := jobInput(true)
	in.Settings = workflows.JobSettings{BatchSize: 1, Parallelism: 50, ApprovalTTL: time.Second}
	in.Job.Rows, in.Job.SlackColumn = 1000, "slack_email"
	s := f.execute(in)
	if s.Phase != workflows.PhaseDone || s.Rows != 25 || len(f.validated) != 3 || len(f.applied) != 3 {
		t.Fatalf("status %+v, %d validated and %d applied batches (want 3 of 10 rows each)", s, len(f.validated), len(f.applied))
	}
	if got := f.validated[0].Job; got.SlackColumn != "slack_user_id" || got.Rows != 25 || got.CreatedBy != slackAdmin || got.ConnectionID != "conn1" {
		t.Errorf("the batches' job: %+v", got)
	}
	if len(f.jobsEnded) != 1 || f.jobsEnded[0] != (workflows.JobEnded{JobID: "job1", ConnectionID: "conn1", Phase: workflows.PhaseDone}) {
		t.Errorf("the connection was told %+v", f.jobsEnded)
	}
}

// The job waits for its file: an upload the store does not hold whole is
// refused, and the job goes on waiting.
func TestJobRefusesAnIncompleteUpload(t *testing.T) {
	f := newJobFixture(t, counts(25, 0, 0))
	f.env.OnActivity(acts.JobSettings, mock.Anything).Return(jobSettings, nil)
	calls := 0
	f.env.OnActivity(acts.LoadJob, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JobInput) (activities.JobRef, error) {
		calls++
		if calls == 1 {
			return in.Job, temporal.NewNonRetryableApplicationError("job job1: 12 of the file's 25 rows are stored: the upload is not complete", activities.ErrInvalidInput, nil)
		}
		ref := in.Job
		ref.Rows = 25
		return ref, nil
	})
	early := f.uploaded(time.Minute)
	var waiting workflows.JobStatus
	f.env.RegisterDelayedCallback(func() {
		v, _ := f.env.QueryWorkflow(workflows.QueryJob)
		_ = v.Get(&waiting)
	}, 2*time.Minute)
	later := f.uploaded(3 * time.Minute)
	s := f.execute(jobInput(true))
	if early.err == nil || !strings.Contains(early.err.Error(), "not complete") {
		t.Errorf("an incomplete upload was taken: %v", early.err)
	}
	if waiting.Phase != workflows.PhaseUploading || len(f.validated) != 3 {
		t.Errorf("after the refusal: %+v", waiting)
	}
	if later.err != nil || s.Phase != workflows.PhaseDone {
		t.Fatalf("the whole upload: %v, %+v", later.err, s)
	}
}

// An upload that never completes, or that its uploader says failed, ends
// its job: the rows that arrived end refused, none is left without a job
// to own it.
func TestJobWhoseUploadNeverCompletesEnds(t *testing.T) {
	for name, failed := range map[string]bool{"timeout": false, "failed": true} {
		t.Run(name, func(t *testing.T) {
			f := newJobFixture(t, counts(0, 0, 0))
			f.storeFile(jobSettings, 25)
			if failed {
				f.update(time.Minute, workflows.UpdateJobUploaded, workflows.JobUpload{Failed: "the store refused a chunk"})
			}
			s := f.execute(jobInput(true))
			if s.Phase != workflows.PhaseFailed || !strings.Contains(s.Error, "upload") || len(f.validated) != 0 {
				t.Fatalf("status %+v", s)
			}
			if len(f.ended) != 1 || f.ended[0] != activities.ReasonUploadIncomplete {
				t.Errorf("rows ended with %v", f.ended)
			}
			took := s.FinishedAt.Sub(requestedAt)
			if failed && (took != time.Minute || !strings.Contains(s.Error, "refused a chunk")) || !failed && took != time.Hour {
				t.Errorf("ended after %v: %s", took, s.Error)
			}
			if len(f.jobsEnded) != 1 || f.jobsEnded[0].Phase != workflows.PhaseFailed {
				t.Errorf("the connection was told %+v", f.jobsEnded)
			}
		})
	}
}

// The connection's disconnect ends its job, in whatever phase: the rows
// not done end refused "connection disconnected"; a word from another
// connection is a refused attempt and changes nothing.
func TestJobEndsWithItsConnection(t *testing.T) {
	for _, phase := range []string{workflows.PhaseAwaitingApproval, workflows.PhaseFollowing} {
		t.Run(phase, func(t *testing.T) {
			f := newJobFixture(t, counts(25, 0, 0))
			f.waiting = []int{5} // following: invitations wait for days
			f.signal(time.Hour, workflows.SignalJobConnectionEnded, workflows.JobConnectionEnded{ConnectionID: "conn2"})
			f.signal(90*time.Minute, workflows.SignalJobConnectionEnded, workflows.JobConnectionEnded{ConnectionID: "conn1"})
			s := f.run(25, phase == workflows.PhaseFollowing)
			if s.Phase != workflows.PhaseCancelled || s.CancelReason != activities.ReasonDisconnected {
				t.Fatalf("status %+v", s)
			}
			if got := s.FinishedAt.Sub(requestedAt); got != 90*time.Minute {
				t.Errorf("ended %v after its start, not at the disconnect", got)
			}
			if len(f.ended) != 1 || f.ended[0] != activities.ReasonDisconnected {
				t.Errorf("rows ended with %v", f.ended)
			}
			if len(s.Attempts) != 1 || !strings.Contains(s.Attempts[0].Reason, "conn2") {
				t.Errorf("the other connection's word: %+v", s.Attempts)
			}
			if len(f.jobsEnded) != 1 || f.jobsEnded[0].Phase != workflows.PhaseCancelled {
				t.Errorf("the connection was told %+v", f.jobsEnded)
			}
		})
	}
}

// The connection starts its jobs (a child it knows, with the identity it
// checked, never a plain member's), and keeps them until they end.
func TestConnectionStartsItsJobs(t *testing.T) {
	f := newFixture(t)
	var started []workflows.JobInput
	f.env.OnWorkflow(workflows.JobWorkflowName, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in workflows.JobInput) (workflows.JobStatus, error) {
			started = append(started, in)
			return workflows.JobStatus{Phase: workflows.PhaseUploading}, nil
		})
	in := activeConnection()
	byMember := f.update(time.Minute, workflows.UpdateImport, workflows.ImportRequest{FileName: "a.csv", Caller: workflows.Caller{As: slackPlain}})
	first := f.update(time.Hour, workflows.UpdateImport, workflows.ImportRequest{FileName: "a.csv", AutoApprove: true, Caller: workflows.Caller{As: slackAdmin}})
	second := f.update(2*time.Hour, workflows.UpdateImport, workflows.ImportRequest{FileName: "b.csv", Caller: workflows.Caller{As: slackAdmin}})
	var running, afterEnd workflows.Connection
	query := func(c *workflows.Connection) func() {
		return func() {
			v, _ := f.env.QueryWorkflow(workflows.QueryStatus)
			_ = v.Get(c)
		}
	}
	f.env.RegisterDelayedCallback(query(&running), 3*time.Hour)
	f.env.RegisterDelayedCallback(func() {
		g, _ := first.value.(workflows.ImportGrant)
		f.env.SignalWorkflow(workflows.SignalJobEnded, workflows.JobEnded{JobID: g.JobID, ConnectionID: "another", Phase: workflows.PhaseDone})
		f.env.SignalWorkflow(workflows.SignalJobEnded, workflows.JobEnded{JobID: g.JobID, ConnectionID: in.Connection.ID, Phase: workflows.PhaseDone})
	}, 4*time.Hour)
	f.env.RegisterDelayedCallback(query(&afterEnd), 5*time.Hour)
	f.disconnectAt(6 * time.Hour)
	f.runConnection(in)
	if byMember.err == nil || len(started) != 2 {
		t.Fatalf("a plain member's import: %v; %d jobs started", byMember.err, len(started))
	}
	grant, _ := first.value.(workflows.ImportGrant)
	if first.err != nil || second.err != nil || grant.JobID == "" || grant.ConnectionID != in.Connection.ID {
		t.Fatalf("imports: %v %v %+v", first.err, second.err, grant)
	}
	if j := started[0]; j.Job.ID != grant.JobID || j.Job.ConnectionID != in.Connection.ID || j.Job.CreatedBy != slackAdmin || !j.AutoApprove || j.FileName != "a.csv" || j.Job.OrgURL != in.Connection.OrgURL {
		t.Errorf("the first job's input: %+v", j)
	}
	if len(running.Jobs) != 2 || running.Jobs[0].ID != grant.JobID || running.Jobs[1].FileName != "b.csv" {
		t.Errorf("the running connection knows its jobs as %+v", running.Jobs)
	}
	if len(afterEnd.Jobs) != 1 || afterEnd.Jobs[0].FileName != "b.csv" || !strings.Contains(afterEnd.History[len(afterEnd.History)-1].Detail, "ended: done") {
		t.Errorf("after the first job's end: %+v, %+v", afterEnd.Jobs, afterEnd.History)
	}
}

// A disconnect tells the connection's running jobs (those its earlier
// runs started too) and waits for them to end before it completes.
func TestDisconnectEndsTheRunningJobs(t *testing.T) {
	f := newFixture(t)
	var told []string
	f.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, workflows.SignalJobConnectionEnded, mock.Anything).Return(
		func(_, id, _, _ string, arg any) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if arg.(workflows.JobConnectionEnded).ConnectionID == activeConnection().Connection.ID {
				told = append(told, id)
			}
			return nil
		})
	in := activeConnection()
	in.Connection.Jobs = []workflows.ConnectionJob{{ID: "job1", StartedBy: slackAdmin}, {ID: "job2", StartedBy: slackAdmin}}
	disconnect := f.update(time.Hour, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: workflows.Caller{As: slackOwner}})
	// Told, the jobs end their rows and say so, a minute later.
	f.env.RegisterDelayedCallback(func() {
		for _, id := range []string{"job1", "job2"} {
			f.env.SignalWorkflow(workflows.SignalJobEnded, workflows.JobEnded{JobID: id, ConnectionID: in.Connection.ID, Phase: workflows.PhaseCancelled})
		}
	}, time.Hour+time.Minute)
	c := f.runConnection(in)
	slices.Sort(told) // the mock answers on goroutines of its own
	if len(told) != 2 || told[0] != workflows.JobWorkflowID("job1") || told[1] != workflows.JobWorkflowID("job2") {
		t.Errorf("jobs told of the disconnect: %v", told)
	}
	if disconnect.err != nil || c.State != "disconnected" || len(c.Jobs) != 0 {
		t.Fatalf("after the disconnect: %v, %s, jobs %+v", disconnect.err, c.State, c.Jobs)
	}
	// The jobs ended before the disconnect did.
	n := len(c.History)
	if n < 3 || c.History[n-1].Action != "disconnect" || !strings.Contains(c.History[n-2].Detail, "job2 ended: cancelled") || !strings.Contains(c.History[n-3].Detail, "job1 ended: cancelled") ||
		!c.History[n-1].At.Equal(requestedAt.Add(time.Hour+time.Minute)) {
		t.Errorf("history: %+v", c.History)
	}
}
