package workflows

import (
	"time"

	"github.com/sfconnect/sfconnect/activities"
)

// JobWorkflowName is the registered type name of JobWorkflow.
const JobWorkflowName = "JobWorkflow"

// JobWorkflowID is the ID of a CSV mapping job's workflow.
func JobWorkflowID(jobID string) string { return "sfconnect-job-" + jobID }

// Messages of a CSV mapping job. approve and cancel are updates and also
// signals of the same name and payload.
const (
	// UpdateJobApprove approves the job's preview. Payload JobDecision; result JobStatus.
	UpdateJobApprove = "approve"
	// UpdateJobCancel cancels the job, keeping the rows done. Payload JobDecision; result JobStatus.
	UpdateJobCancel = "cancel"
	// QueryJob returns the job's JobStatus.
	QueryJob = "job"
	// UpdateImport asks a connection for a job: the caller's role is checked
	// and the job's identity given. Payload ImportRequest; result ImportGrant.
	UpdateImport = "import"
)

// Job phases, in order; the job ends in done, cancelled, expired or failed.
const (
	PhaseValidating       = "validating"
	PhaseAwaitingApproval = "awaiting_approval"
	PhaseApplying         = "applying"
	PhaseFollowing        = "following"
	PhaseDone             = "done"
	PhaseCancelled        = "cancelled"
	PhaseExpired          = "expired"
	PhaseFailed           = "failed"
)

// ImportRequest asks to import a CSV file into a connection.
type ImportRequest struct {
	FileName string `json:"file_name"`
	Caller          // a Slack member
}

// ImportGrant is what the CLI needs to upload the rows and start the job.
type ImportGrant struct {
	JobID        string `json:"job_id"`
	ConnectionID string `json:"connection_id"`
	OrgURL       string `json:"org_url"`
	OrgID        string `json:"org_id"`
}

// JobDecision approves or cancels a job.
type JobDecision struct {
	Caller // a Slack member
}

// JobSettings shape a job's run.
type JobSettings struct {
	// BatchSize is how many rows one activity validates or applies.
	BatchSize int `json:"batch_size"`
	// Parallelism is how many batches the application runs at once.
	Parallelism int `json:"parallelism"`
	// ValidateParallelism is how many batches the validation runs at
	// once. Validation hardly writes (its batches wait on the directories
	// and read the store), so it can run more at once than the
	// application, whose writes queue on SQLite's one writer.
	ValidateParallelism int `json:"validate_parallelism,omitempty"`
	// MaxRefusedShare: a job that would refuse more than this share of its
	// rows needs an explicit approval, even with --yes.
	MaxRefusedShare float64 `json:"max_refused_share"`
	// ApprovalTTL is how long the preview waits for an approval.
	ApprovalTTL time.Duration `json:"approval_ttl"`
	// InviteTTL is how long the job's invitations wait for their members.
	InviteTTL time.Duration `json:"invite_ttl"`
	// FollowEvery is how often the job looks at its invitations.
	FollowEvery time.Duration `json:"follow_every"`
	// RevalidateAfter: a batch applied within this time of the end of
	// validation takes the members and users validation resolved; a later
	// one asks the directories again (a user may have been deactivated
	// while the preview waited). The mappings of now are checked always.
	RevalidateAfter time.Duration `json:"revalidate_after,omitempty"`
}

// DefaultJobSettings are the measured defaults (BENCHMARKS.md): on one
// SQLite file the application's writes queue on its single writer, so two
// batches applied at once go as fast as three (a million rows, fourth
// session: apply 21.9 s with two, 24.6 s with three); validation hardly
// writes, and three batches at once keep both cores busy (four: no faster).
// Batches of 20,000 rows were faster (29.7 s against 32.1-32.8 s for the
// whole import) but took the worker to 310 MB, past its 300 MB target.
var DefaultJobSettings = JobSettings{
	BatchSize: 10000, Parallelism: 2, ValidateParallelism: 3, MaxRefusedShare: 0.10,
	ApprovalTTL: 7 * 24 * time.Hour, InviteTTL: DefaultInviteTTL, FollowEvery: time.Hour,
	RevalidateAfter: time.Hour,
}

func (s JobSettings) withDefaults() JobSettings {
	d := DefaultJobSettings
	if s.BatchSize > 0 {
		d.BatchSize = s.BatchSize
	}
	if s.Parallelism > 0 {
		d.Parallelism = s.Parallelism
	}
	if s.ValidateParallelism > 0 {
		d.ValidateParallelism = s.ValidateParallelism
	}
	if s.MaxRefusedShare > 0 {
		d.MaxRefusedShare = s.MaxRefusedShare
	}
	if s.ApprovalTTL > 0 {
		d.ApprovalTTL = s.ApprovalTTL
	}
	if s.RevalidateAfter > 0 {
		d.RevalidateAfter = s.RevalidateAfter
	}
	if s.InviteTTL > 0 {
		d.InviteTTL = s.InviteTTL
	}
	if s.FollowEvery > 0 {
		d.FollowEvery = s.FollowEvery
	}
	return d
}

// JobInput starts (or continues) a JobWorkflow.
type JobInput struct {
	Job activities.JobRef `json:"job"`
	// AutoApprove is --yes: a job without risks is approved by its creator.
	AutoApprove bool        `json:"auto_approve"`
	Settings    JobSettings `json:"settings"`
	// Status is carried over by continue-as-new.
	Status *JobStatus `json:"status,omitempty"`
	// UsedProofs are the step assertions already used, carried over by
	// continue-as-new.
	UsedProofs []UsedProof `json:"used_proofs,omitempty"`
}

// JobStatus is where a job stands: its phase, its preview, its outcomes.
type JobStatus struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	OrgID     string `json:"org_id"`
	Phase     string `json:"phase"`
	Rows      int    `json:"rows"`
	// Encoding is the file's character encoding, as the upload read it.
	Encoding string `json:"encoding,omitempty"`
	// Validated and Applied count the rows each phase has been through.
	Validated int `json:"validated"`
	Applied   int `json:"applied"`
	// Preview: what applying would do.
	WouldInvite    int            `json:"would_invite"`
	WouldUnchange  int            `json:"would_stay_unchanged"`
	WouldRefuse    int            `json:"would_refuse"`
	Moves          int            `json:"moves"`
	RefusalReasons map[string]int `json:"refusal_reasons,omitempty"`
	// Risks say why the job needs an explicit approval ("" when --yes will do).
	Risks      []string  `json:"risks,omitempty"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitempty"`
	// ApprovedUnverified: the approval came without a proof of identity
	// (sandbox mode only).
	ApprovedUnverified bool `json:"approved_unverified,omitempty"`
	// Outcomes so far.
	Linked    int `json:"linked"`
	Invited   int `json:"invited"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
	// Waiting counts invitations not yet answered nor expired.
	Waiting int `json:"waiting"`
	// Told counts the invited members sent their invitation DM so far;
	// TellNext is the row the telling resumes at.
	Told        int    `json:"told"`
	TellNext    int    `json:"tell_next,omitempty"`
	CancelledBy string `json:"cancelled_by,omitempty"`
	// CancelledUnverified: the cancel came without a proof of identity.
	CancelledUnverified bool      `json:"cancelled_unverified,omitempty"`
	Error               string    `json:"error,omitempty"`
	StartedAt           time.Time `json:"started_at"`
	ValidatedAt         time.Time `json:"validated_at,omitempty"`
	AppliedAt           time.Time `json:"applied_at,omitempty"`
	FinishedAt          time.Time `json:"finished_at,omitempty"`
	// Attempts are the refused signals (approve, cancel), the latest 50:
	// a signal whose payload could not be read is one too, with why.
	Attempts []Attempt `json:"attempts,omitempty"`
	// NextBatch is where the phase in progress resumes after continue-as-new.
	NextBatch int `json:"next_batch"`
	// InviteExpiresAt is when the job's invitations expire.
	InviteExpiresAt time.Time `json:"invite_expires_at,omitempty"`
}

// Ended reports whether the job has ended.
func (s JobStatus) Ended() bool {
	switch s.Phase {
	case PhaseDone, PhaseCancelled, PhaseExpired, PhaseFailed:
		return true
	}
	return false
}
