package workflows

// The change ids of workflow.GetVersion, in one place. Each guards a change
// that altered the command sequence of running workflows; the old branch
// stays until no workflow started before the change can still be running
// (a connection waits at most RequestTTL for each pending step, but an
// active one lives for years: retire a connection's id only after every
// connection older than its change has continued as new, which carries no
// history). The recorded histories of testsuite/histories replay both
// branches; drop a history with the id it needs.
const (
	// versionIPCheckAtApproval (2026-11-25): Step 2 checks the org's IP
	// restrictions again.
	versionIPCheckAtApproval = "ip-check-at-approval"
	// versionActivateReadsPermissionSet (2026-11-25): activation reads the
	// integration user's permission set objects (connection version 2).
	versionActivateReadsPermissionSet = "activate-reads-permission-set"
	// versionHealthCheck (2026-11-25): active connections ask their org
	// periodically whether it still answers at its URL.
	versionHealthCheck = "health-check"
	// versionJobBatchesWindow (2026-11-25): a job runs its batches in a
	// sliding window (jobs end within days: retire from 2026-12-25).
	versionJobBatchesWindow = "job-batches-window"
	// versionJobValidateParallelism (2026-12-02): validation runs its own
	// number of batches at once (retire from 2027-01-02).
	versionJobValidateParallelism = "job-validate-parallelism"
	// versionSignInStartProofPKCE (2026-12-04): a member's sign-in carries
	// a proof, a redirect URI and PKCE.
	versionSignInStartProofPKCE = "signin-start-proof-pkce"
	// versionSignInCompleteProof (2026-12-04): completing it is proven.
	versionSignInCompleteProof = "signin-complete-proof"
	// versionStepNotices (2026-12-04): the steps' notices carry links,
	// buttons and a key each, and reach the org's admins.
	versionStepNotices = "step-notices"
	// versionJobApprovalNotice (2026-12-04): a job awaiting approval tells
	// its creator, with an Approve preview button (retire from 2027-01-04).
	versionJobApprovalNotice = "job-approval-notice"
	// versionBackgroundFailures (2026-12-04): an invitations' expiry that
	// fails after its retries no longer fails the connection; it is shown
	// and tried again later.
	versionBackgroundFailures = "background-failures"
	// versionIdleRecheck (2026-12-04): an idle workspace checks again that
	// it is empty after its last settle (a workspace ends within its idle
	// timeout: retire from 2027-01-04).
	versionIdleRecheck = "idle-recheck"
	// versionWorkspaceReconcile (2026-12-04): a workspace compares its
	// registry with the connections' workflows at start and periodically
	// (a registry runs for as long as it has connections: retire once every
	// registry older than it has continued as new).
	versionWorkspaceReconcile = "workspace-reconcile"
	// versionAwaitEndedConnection (2026-12-04): a request for an org whose
	// ended connection's workflow still runs waits for it to close
	// (retire once every registry older than it has continued as new).
	versionAwaitEndedConnection = "await-ended-connection"
	// versionPlaceFreedByUpdate (2026-12-04): a connection's end reaches
	// its registry by update (the FreePlace activity), applied before the
	// step that ended it returns, instead of a signal.
	versionPlaceFreedByUpdate = "place-freed-by-update"
	// versionJobInvitationNotices (2026-12-04): a job tells its invitees in
	// the background (retire from 2027-01-04).
	versionJobInvitationNotices = "job-invitation-notices"
	// versionJobPhaseAttribute (2026-12-04): a job shows its phase in
	// SfJobPhase, not in the connections' SfState (retire from 2027-01-04).
	versionJobPhaseAttribute = "job-phase-attribute"
	// versionJobOwnedByConnection (2026-12-04): a connection's import step
	// starts the job (a child it knows; a disconnect ends it), which waits
	// for its file and reads its settings from the worker and its file
	// from the store, then tells its connection when it ends (retire from
	// 2027-01-04 for jobs; a connection's import replays by it as long
	// as connections older than it run).
	versionJobOwnedByConnection = "job-owned-by-connection"
)
