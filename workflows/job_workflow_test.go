package workflows_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// jobFixture runs a JobWorkflow over a fake job of rows, counting what the
// batch activities saw.
type jobFixture struct {
	*fixture
	mu        sync.Mutex
	validated []activities.JobBatchInput
	applied   []activities.JobBatchInput
	ended     []string
	told      []activities.TellJobInviteesInput
	counts    store.JobCounts
	waiting   []int // what successive settles answer
	// applyTakes is how long each apply batch takes on the workflow's
	// clock (none unless a test sets it).
	applyTakes time.Duration
}

func newJobFixture(t *testing.T, counts store.JobCounts) *jobFixture {
	f := &jobFixture{fixture: newFixture(t), counts: counts, waiting: []int{0}}
	batch := func(list *[]activities.JobBatchInput) func(context.Context, activities.JobBatchInput) (activities.JobBatchResult, error) {
		return func(_ context.Context, in activities.JobBatchInput) (activities.JobBatchResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			*list = append(*list, in)
			return activities.JobBatchResult{Rows: in.To - in.From, Invited: in.To - in.From}, nil
		}
	}
	validate := batch(&f.validated)
	f.env.OnActivity(acts.ValidateJobBatch, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.JobBatchInput) (activities.JobBatchResult, error) {
		res, err := validate(ctx, in)
		if in.From == 0 {
			res.Moves = counts.Moves // the moves are found by the batches
		}
		return res, err
	}).Maybe()
	f.env.OnActivity(acts.ApplyJobBatch, mock.Anything, mock.Anything).Return(batch(&f.applied)).
		AfterFn(func() time.Duration { return f.applyTakes }).Maybe()
	f.env.OnActivity(acts.JobPreview, mock.Anything, mock.Anything).Return(func(context.Context, activities.JobInput) (store.JobCounts, error) {
		return f.counts, nil
	}).Maybe()
	f.env.OnActivity(acts.EndJobRows, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JobInput) (int, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ended = append(f.ended, in.Reason)
		return 1, nil
	}).Maybe()
	f.env.OnActivity(acts.TellJobInvitees, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.TellJobInviteesInput) (int, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.told = append(f.told, in)
		return in.To - in.From, nil
	}).Maybe()
	f.env.OnActivity(acts.SettleJobInvitations, mock.Anything, mock.Anything).Return(func(context.Context, activities.JobInput) (activities.SettleResult, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w := f.waiting[0]
		if len(f.waiting) > 1 {
			f.waiting = f.waiting[1:]
		}
		return activities.SettleResult{Waiting: w}, nil
	}).Maybe()
	return f
}

// jobSettings are the settings the mocked worker gives its jobs.
var jobSettings = workflows.JobSettings{BatchSize: 10, Parallelism: 2, FollowEvery: time.Hour, ApprovalTTL: 24 * time.Hour, UploadTTL: time.Hour}

// jobInput is what a connection starts job1 with.
func jobInput(yes bool) workflows.JobInput {
	return workflows.JobInput{
		Job:         activities.JobRef{ID: "job1", Workspace: "T0DEMO0001", OrgID: "00D000000000001AAA", ConnectionID: "conn1", CreatedBy: slackAdmin},
		AutoApprove: yes, FileName: "members.csv",
	}
}

// storeFile mocks the worker's settings and the store's record of job1's
// file, of rows rows.
func (f *fixture) storeFile(settings workflows.JobSettings, rows int) {
	f.env.OnActivity(acts.JobSettings, mock.Anything).Return(settings, nil).Maybe()
	f.env.OnActivity(acts.LoadJob, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JobInput) (activities.JobRef, error) {
		ref := in.Job
		ref.Rows, ref.SlackColumn, ref.SalesforceColumn = rows, "slack_user_id", "salesforce_username"
		return ref, nil
	}).Maybe()
}

// uploaded tells the job its file is uploaded, after delay.
func (f *fixture) uploaded(delay time.Duration) *outcome {
	return f.update(delay, workflows.UpdateJobUploaded, workflows.JobUpload{Encoding: "UTF-8"})
}

func (f *jobFixture) run(rows int, yes bool) workflows.JobStatus {
	f.t.Helper()
	f.storeFile(jobSettings, rows)
	f.uploaded(time.Second)
	return f.execute(jobInput(yes))
}

func (f *jobFixture) execute(in workflows.JobInput) workflows.JobStatus {
	f.t.Helper()
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.JobWorkflowName, in)
	if err := f.env.GetWorkflowError(); err != nil {
		f.t.Fatal(err)
	}
	var s workflows.JobStatus
	if err := f.env.GetWorkflowResult(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func counts(invite, refused, moves int) store.JobCounts {
	return store.JobCounts{
		Rows:      invite + refused,
		ByPlan:    map[store.Outcome]int{store.OutcomeInvited: invite, store.OutcomeRefused: refused},
		ByOutcome: map[store.Outcome]int{store.OutcomeRefused: refused, store.OutcomeInvited: invite},
		Moves:     moves,
	}
}

func TestJobWithYesRunsToTheEnd(t *testing.T) {
	f := newJobFixture(t, counts(24, 1, 0))
	f.waiting = []int{5, 2, 0}
	s := f.run(25, true)
	if s.Phase != workflows.PhaseDone || s.ApprovedBy == "" || s.Validated != 25 || s.Applied != 25 {
		t.Fatalf("status: %+v", s)
	}
	// Batches run in a window: they may end, and be recorded, in any order.
	slices.SortFunc(f.applied, func(a, b activities.JobBatchInput) int { return a.From - b.From })
	if len(f.validated) != 3 || len(f.applied) != 3 || f.applied[2].From != 20 || f.applied[2].To != 25 {
		t.Fatalf("batches: %d validated, %d applied: %+v", len(f.validated), len(f.applied), f.applied)
	}
	seen := map[string]bool{}
	for _, in := range append(f.validated, f.applied...) {
		if seen[in.Key] {
			t.Errorf("two batches share the key %s", in.Key)
		}
		seen[in.Key] = true
	}
	if !f.applied[0].InviteExpiresAt.After(requestedAt) {
		t.Errorf("invitations without expiry: %v", f.applied[0].InviteExpiresAt)
	}
	// The invited members are told, every row once, before the follow-up.
	if s.Told != 25 || s.TellNext != 25 || len(f.told) != 1 || f.told[0].From != 0 || f.told[0].To != 25 || !f.told[0].ExpiresAt.Equal(f.applied[0].InviteExpiresAt) {
		t.Errorf("told %d (next %d): %+v", s.Told, s.TellNext, f.told)
	}
	// Followed hourly until no invitation waited: three settles, two hours.
	if got := s.FinishedAt.Sub(s.AppliedAt); got != 2*time.Hour {
		t.Errorf("followed for %v", got)
	}
}

func TestRiskyJobNeedsAnExplicitApproval(t *testing.T) {
	for name, c := range map[string]store.JobCounts{"many refusals": counts(10, 15, 0), "moves": counts(25, 0, 3)} {
		t.Run(name, func(t *testing.T) {
			f := newJobFixture(t, c)
			var waiting workflows.JobStatus
			f.env.RegisterDelayedCallback(func() {
				v, _ := f.env.QueryWorkflow(workflows.QueryJob)
				_ = v.Get(&waiting)
			}, time.Hour)
			byMember := f.update(2*time.Hour, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackPlain}})
			ok := f.update(3*time.Hour, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackAdmin}})
			s := f.run(25, true)
			if waiting.Phase != workflows.PhaseAwaitingApproval || len(waiting.Risks) != 1 || len(f.applied) != 0 && waiting.Applied != 0 {
				t.Fatalf("with --yes a risky job must wait: %+v", waiting)
			}
			if byMember.err == nil {
				t.Errorf("a plain member approved a job")
			}
			if ok.err != nil || s.ApprovedBy != slackAdmin || s.Phase != workflows.PhaseDone || len(f.applied) != 3 {
				t.Fatalf("after approval: %v %+v", ok.err, s)
			}
		})
	}
}

func TestUnapprovedJobExpires(t *testing.T) {
	f := newJobFixture(t, counts(25, 0, 0))
	s := f.run(25, false)
	if s.Phase != workflows.PhaseExpired || len(f.applied) != 0 || len(f.ended) != 1 || f.ended[0] != activities.ReasonApprovalExpired {
		t.Fatalf("status %+v, ended %v, applied %d", s, f.ended, len(f.applied))
	}
	if got := s.FinishedAt.Sub(requestedAt); got != 24*time.Hour {
		t.Errorf("expired after %v", got)
	}
}

func TestCancelKeepsTheRowsDone(t *testing.T) {
	f := newJobFixture(t, counts(25, 0, 0))
	// The first two batches are under way when the cancel comes: they take
	// a minute of the workflow's clock, the cancel comes at 30 s (on the
	// clock, not by goroutine timing, which let every batch end first).
	f.applyTakes = time.Minute
	f.env.RegisterDelayedCallback(func() {
		f.env.UpdateWorkflow(workflows.UpdateJobCancel, "", updateCallbacks(&outcome{}), workflows.JobDecision{Caller: workflows.Caller{As: slackAdmin}})
	}, 30*time.Second)
	s := f.run(25, true)
	if s.Phase != workflows.PhaseCancelled || s.CancelledBy != slackAdmin {
		t.Fatalf("status: %+v", s)
	}
	if len(f.ended) != 1 || f.ended[0] != activities.ReasonCancelled || len(f.applied) > 2 {
		t.Fatalf("ended %v after %d applied batches", f.ended, len(f.applied))
	}
}

// Validation runs ValidateParallelism batches at once, application
// Parallelism: each phase fills its window and never goes past it.
func TestJobPhasesRunTheirOwnWindows(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	inflight, most := map[string]int{}, map[string]int{}
	batch := func(phase string) func(context.Context, activities.JobBatchInput) (activities.JobBatchResult, error) {
		return func(_ context.Context, in activities.JobBatchInput) (activities.JobBatchResult, error) {
			mu.Lock()
			inflight[phase]++
			most[phase] = max(most[phase], inflight[phase])
			mu.Unlock()
			time.Sleep(50 * time.Millisecond) // real time: the others of the window start meanwhile
			mu.Lock()
			inflight[phase]--
			mu.Unlock()
			return activities.JobBatchResult{Rows: in.To - in.From, Invited: in.To - in.From}, nil
		}
	}
	f.env.OnActivity(acts.ValidateJobBatch, mock.Anything, mock.Anything).Return(batch("validate"))
	f.env.OnActivity(acts.ApplyJobBatch, mock.Anything, mock.Anything).Return(batch("apply"))
	f.env.OnActivity(acts.JobPreview, mock.Anything, mock.Anything).Return(counts(60, 0, 0), nil)
	f.env.OnActivity(acts.SettleJobInvitations, mock.Anything, mock.Anything).Return(activities.SettleResult{}, nil)
	f.env.OnActivity(acts.TellJobInvitees, mock.Anything, mock.Anything).Return(0, nil)
	f.storeFile(workflows.JobSettings{BatchSize: 5, Parallelism: 2, ValidateParallelism: 4}, 60)
	f.uploaded(0)
	f.env.SetStartTime(requestedAt)
	f.env.ExecuteWorkflow(workflows.JobWorkflowName, jobInput(true))
	if err := f.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if most["validate"] != 4 || most["apply"] != 2 {
		t.Fatalf("batches at once: %v; want 4 validating, 2 applying", most)
	}
}

// A job shows its phase in SfJobPhase, never in SfState, which is the
// connections' state: a filter on SfState = "done" must not find jobs.
func TestJobPhaseHasItsOwnSearchAttribute(t *testing.T) {
	f := newJobFixture(t, counts(25, 0, 0))
	var phases []string
	f.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		if _, ok := sa.GetKeyword(workflows.StateKey); ok {
			t.Errorf("a job upserted SfState")
		}
		if p, ok := sa.GetKeyword(workflows.JobPhaseKey); ok && (len(phases) == 0 || phases[len(phases)-1] != p) {
			phases = append(phases, p)
		}
	}).Return(nil)
	s := f.run(25, true)
	want := []string{workflows.PhaseUploading, workflows.PhaseValidating, workflows.PhaseApplying, workflows.PhaseFollowing, workflows.PhaseDone}
	if s.Phase != workflows.PhaseDone || !slices.Equal(phases, want) {
		t.Fatalf("SfJobPhase went %v, want %v (status %+v)", phases, want, s)
	}
}

// Approve and cancel sent as signals: a refused one is kept in the job's
// attempts with its reason, and so is one whose payload cannot be read
// (the SDK would drop it with a log line), and neither changes the job.
func TestJobKeepsRefusedSignals(t *testing.T) {
	f := newJobFixture(t, counts(10, 15, 0)) // risky: waits for an approval
	f.signal(time.Hour, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackPlain}})
	f.signal(2*time.Hour, workflows.UpdateJobCancel, map[string]any{"as": 5})
	f.signal(3*time.Hour, workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: slackAdmin}})
	s := f.run(25, true)
	if s.Phase != workflows.PhaseDone || s.ApprovedBy != slackAdmin {
		t.Fatalf("the admin's signal did not approve: %+v", s)
	}
	if len(s.Attempts) != 2 {
		t.Fatalf("attempts: %+v", s.Attempts)
	}
	if a := s.Attempts[0]; a.Action != workflows.UpdateJobApprove || a.By != slackPlain || a.Via != "signal" || !strings.Contains(a.Reason, "may not") {
		t.Errorf("the member's refused approval: %+v", a)
	}
	if a := s.Attempts[1]; a.Action != workflows.UpdateJobCancel || !strings.Contains(a.Reason, "payload could not be read") || !strings.Contains(a.Reason, "as") {
		t.Errorf("the undecodable cancel: %+v", a)
	}
}
