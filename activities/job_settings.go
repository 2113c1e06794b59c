package activities

import (
	"context"
	"time"
)

// DefaultInviteTTL is how long an invitation to map waits for the member.
const DefaultInviteTTL = 7 * 24 * time.Hour

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
	// UploadTTL is how long a job waits for its file's rows: a job
	// whose upload never completes ends, its rows refused.
	UploadTTL time.Duration `json:"upload_ttl,omitempty"`
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
	ApprovalTTL: 7 * 24 * time.Hour, InviteTTL: DefaultInviteTTL, FollowEvery: time.Hour, UploadTTL: time.Hour,
	RevalidateAfter: time.Hour,
}

// WithDefaults is s with DefaultJobSettings where s has none.
func (s JobSettings) WithDefaults() JobSettings {
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
	if s.UploadTTL > 0 {
		d.UploadTTL = s.UploadTTL
	}
	return d
}

// JobSettings are the worker's settings of CSV jobs (Jobs, with the
// defaults where it has none): a job reads them when it starts, so that
// batch sizes and paces are the worker's, never what a client put in the
// job's input.
func (a *Activities) JobSettings(context.Context) (JobSettings, error) {
	return a.Jobs.WithDefaults(), nil
}
