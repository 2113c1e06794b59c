package workflows

import (
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
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
	// UpdateImport asks a connection for a job: the caller's role is
	// checked, and the connection starts the job, which waits for its
	// file. Payload ImportRequest; result ImportGrant.
	UpdateImport = "import"
	// UpdateJobUploaded tells a job its file's rows are in the store (or
	// that their upload failed). Payload JobUpload; result JobStatus.
	UpdateJobUploaded = "uploaded"
	// SignalJobConnectionEnded tells a job its connection was
	// disconnected: the job ends, its rows not done refused. Payload
	// JobConnectionEnded.
	SignalJobConnectionEnded = "connection-ended"
	// SignalJobEnded tells a connection that one of its jobs has ended.
	// Payload JobEnded.
	SignalJobEnded = "job-ended"
)

// Job phases, in order; the job ends in done, cancelled, expired or failed.
const (
	PhaseUploading        = "uploading"
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
	// AutoApprove is --yes: a job without risks is approved by its creator.
	AutoApprove bool `json:"auto_approve,omitempty"`
	Caller           // a Slack member
}

// JobUpload is the uploader's word on the job's file: all its rows are in
// the store, read in Encoding, or their upload Failed (why).
type JobUpload struct {
	Encoding string `json:"encoding,omitempty"`
	Failed   string `json:"failed,omitempty"`
}

// JobConnectionEnded is the connection's word that it has ended.
type JobConnectionEnded struct {
	ConnectionID string      `json:"connection_id"`
	State        model.State `json:"state"`
}

// JobEnded is a job's word to its connection that it has ended.
type JobEnded struct {
	JobID        string `json:"job_id"`
	ConnectionID string `json:"connection_id"`
	Phase        string `json:"phase"`
}

// ImportGrant names the job the connection started for a file: the CLI
// uploads the rows into it, then tells it (UpdateJobUploaded).
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

// JobSettings shape a job's run; they are the worker's
// (activities.Activities.Jobs, from its environment), read by the job.
type JobSettings = activities.JobSettings

// DefaultJobSettings are the measured defaults (activities.DefaultJobSettings).
var DefaultJobSettings = activities.DefaultJobSettings

// JobInput starts (or continues) a JobWorkflow. A job's connection starts
// it with Job's identity (ID, workspace, org, connection, CreatedBy) and
// FileName; the job reads the rest of Job from the store and Settings
// from the worker, and carries them over continue-as-new.
type JobInput struct {
	Job activities.JobRef `json:"job"`
	// AutoApprove is --yes: a job without risks is approved by its creator.
	AutoApprove bool        `json:"auto_approve"`
	Settings    JobSettings `json:"settings"`
	FileName    string      `json:"file_name,omitempty"`
	// Owned: the job's connection started it (set by the job for its
	// continued runs; a first run knows it from its version).
	Owned bool `json:"owned,omitempty"`
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
	FileName  string `json:"file_name,omitempty"`
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
	// CancelReason is why a job nobody cancelled was: its connection was
	// disconnected.
	CancelReason string `json:"cancel_reason,omitempty"`
	// CancelledUnverified: the cancel came without a proof of identity.
	CancelledUnverified bool      `json:"cancelled_unverified,omitempty"`
	Error               string    `json:"error,omitempty"`
	StartedAt           time.Time `json:"started_at"`
	ValidatedAt         time.Time `json:"validated_at,omitempty"`
	AppliedAt           time.Time `json:"applied_at,omitempty"`
	FinishedAt          time.Time `json:"finished_at,omitempty"`
	// Attempts are the refused signals (approve, cancel, and a
	// connection-ended that is not from the job's connection), the newest
	// MaxAttempts: a signal whose payload could not be read is one too,
	// with why. AttemptsDropped counts the older ones.
	Attempts        []Attempt `json:"attempts,omitempty"`
	AttemptsDropped int       `json:"attempts_dropped,omitempty"`
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
