package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
)

// JobRef names a CSV mapping job and its connection.
type JobRef struct {
	ID               string `json:"id"`
	Workspace        string `json:"workspace"`
	OrgID            string `json:"org_id"`
	OrgURL           string `json:"org_url"`
	ConnectionID     string `json:"connection_id"`
	SlackColumn      string `json:"slack_column"`
	SalesforceColumn string `json:"salesforce_column"`
	Rows             int    `json:"rows"`
	CreatedBy        string `json:"created_by"`
	// Encoding is the file's character encoding as the upload read it
	// (mappingcsv.Encoding: UTF-8, Windows-1252, UTF-16LE…), for the preview.
	Encoding string `json:"encoding,omitempty"`
}

// JobBatchInput is one range of a job's rows, From <= Seq < To.
type JobBatchInput struct {
	Job  JobRef `json:"job"`
	From int    `json:"from"`
	To   int    `json:"to"`
	// Key makes the batch's writes idempotent.
	Key string `json:"key"`
	// InviteExpiresAt is when the invitations the batch makes expire.
	InviteExpiresAt time.Time `json:"invite_expires_at,omitempty"`
	// TrustValidation, when applying, takes each row's member and user as
	// validation resolved them (recent enough: the workflow decides),
	// rather than asking the directories again. The mappings of now are
	// checked either way.
	TrustValidation bool `json:"trust_validation,omitempty"`
}

// JobBatchResult counts what a batch did with its rows.
type JobBatchResult struct {
	Rows      int `json:"rows"`
	Invited   int `json:"invited"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
	Moves     int `json:"moves"`
	Skipped   int `json:"skipped"` // rows already ended (refused at upload or by an earlier attempt)
}

// Refusal reasons of SPEC section 5, one place for each.
const (
	ReasonUnknownMember     = "unknown Slack member"
	ReasonDeletedMember     = "deactivated Slack member"
	ReasonAmbiguousMember   = "two or more Slack members have this email"
	ReasonUnknownUser       = "unknown Salesforce user"
	ReasonInactiveUser      = "inactive Salesforce user"
	ReasonAmbiguousUser     = "two or more Salesforce users have this email"
	ReasonUserMappedToOther = "the Salesforce user is mapped to another member"
	ReasonCancelled         = "job cancelled before this row"
	ReasonApprovalExpired   = "job not approved in time"
	ReasonInvitationExpired = "invitation expired"
	ReasonDisconnected      = "connection disconnected"
	ReasonUploadIncomplete  = "the file's upload did not complete"
)

// ValidateJobBatch checks a range of a job's rows against the directories
// and the current mappings, without changing any mapping: each row gets its
// plan (invite, unchanged) with the member and user it resolved to, or its
// refusal with a reason.
func (a *Activities) ValidateJobBatch(ctx context.Context, in JobBatchInput) (JobBatchResult, error) {
	return a.jobBatch(ctx, in, false)
}

// ApplyJobBatch applies a range of an approved job's rows: it checks each
// planned row again against the mappings of now (and, unless the validation
// is trusted, against the directories of now), writes the invitations and
// every row's outcome in one transaction (idempotent by key), so that a row
// is never half applied and a batch done twice changes nothing. A row whose
// outcome is its plan is not sent back to the store: the store gives it its
// plan as outcome in place.
func (a *Activities) ApplyJobBatch(ctx context.Context, in JobBatchInput) (JobBatchResult, error) {
	return a.jobBatch(ctx, in, true)
}

func (a *Activities) jobBatch(ctx context.Context, in JobBatchInput, apply bool) (JobBatchResult, error) {
	var res JobBatchResult
	rows, err := a.Store.JobRows(ctx, in.Job.ID, in.From, in.To)
	if err != nil {
		return res, err
	}
	// The rows to do, filtered in place; every slice of the batch is sized
	// once (growing slices of 10,000 rows cost more than planning them).
	todo := rows[:0]
	for _, r := range rows {
		if r.Outcome != store.OutcomeNone { // refused at upload or validation, or done by an earlier attempt
			res.Skipped++
			continue
		}
		todo = append(todo, r)
	}
	res.Rows = len(rows)
	if len(todo) == 0 {
		return res, nil
	}
	// Validation resolves every row against the directories and stores
	// what it found with the plan. Applying resolves again only the rows
	// validation did not plan, or all of them when the validation is too
	// old to trust.
	resolve := make([]*store.JobRow, 0, len(todo))
	for i := range todo {
		r := &todo[i]
		if !apply || !in.TrustValidation || r.Plan == store.OutcomeNone {
			*r = unresolved(*r)
			resolve = append(resolve, r)
		}
	}
	if err := a.resolve(ctx, in.Job, resolve); err != nil {
		return res, err
	}
	slackIDs, sfIDs := make([]string, 0, len(todo)), make([]string, 0, len(todo))
	for _, r := range todo {
		if r.Reason == "" {
			slackIDs = append(slackIDs, r.SlackUserID)
			sfIDs = append(sfIDs, r.SalesforceUserID)
		}
	}
	current, err := a.Store.GetMappings(ctx, in.Job.ConnectionID, slackIDs)
	if err != nil {
		return res, err
	}
	holders, err := a.Store.GetLiveMappingsBySalesforceUsers(ctx, in.Job.ConnectionID, sfIDs)
	if err != nil {
		return res, err
	}
	// Validation writes every row; applying, only the rows whose outcome
	// is not their plan (few), and a mapping per invitation.
	var mappings []store.Mapping
	var writes []store.JobRow
	if apply {
		mappings = make([]store.Mapping, 0, len(todo))
	} else {
		writes = make([]store.JobRow, 0, len(todo))
	}
	now, by := time.Now().UTC(), "job "+in.Job.ID
	for i := range todo {
		r := &todo[i]
		planned := *r
		plan, moves := planRow(r, current, holders)
		r.Plan, r.Moves = plan, moves
		switch {
		case !apply:
			if plan == store.OutcomeRefused {
				r.Outcome = store.OutcomeRefused // a refusal is final: nothing will change it
			}
			writes = append(writes, *r)
		default:
			r.Outcome = plan
			if planned.Plan != plan || planned.Moves != moves || planned.Reason != r.Reason {
				writes = append(writes, *r) // the store applies the others' plans in place
			}
			if plan == store.OutcomeInvited {
				mappings = append(mappings, store.Mapping{
					ConnectionID: in.Job.ConnectionID, Workspace: in.Job.Workspace, OrgID: in.Job.OrgID,
					SlackUserID: r.SlackUserID, SlackEmail: r.SlackEmail, SlackName: r.SlackName,
					SalesforceUserID: r.SalesforceUserID, SalesforceUsername: r.SalesforceUsername, SalesforceEmail: r.SalesforceEmail,
					State: store.StateInvited, Source: store.SourceCSV, InviteExpiresAt: in.InviteExpiresAt.UTC(),
					UpdatedAt: now, UpdatedBy: by,
				})
			}
		}
		switch plan {
		case store.OutcomeInvited:
			res.Invited++
		case store.OutcomeUnchanged:
			res.Unchanged++
		case store.OutcomeRefused:
			res.Refused++
		}
		if moves {
			res.Moves++
		}
	}
	phase := "validate"
	if apply {
		phase = "apply"
	}
	a.Metrics.RowsProcessed(phase, len(todo))
	if apply {
		_, err = a.Store.ApplyPlannedJobRows(ctx, in.Key, in.Job.ID, in.From, in.To, writes, mappings)
	} else {
		_, err = a.Store.UpdateJobRows(ctx, in.Key, in.Job.ID, writes, nil)
	}
	return res, err
}

// unresolved is r without what a resolution found: its member, user, plan
// and reason.
func unresolved(r store.JobRow) store.JobRow {
	return store.JobRow{Seq: r.Seq, Line: r.Line, SlackKey: r.SlackKey, SalesforceKey: r.SalesforceKey, UpdatedAt: r.UpdatedAt}
}

// resolve finds the rows' members and users in the directories, each row
// getting them or its refusal reason.
func (a *Activities) resolve(ctx context.Context, job JobRef, rows []*store.JobRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := a.resolveSlack(ctx, job, rows); err != nil {
		return err
	}
	activity.RecordHeartbeat(ctx, "slack")
	if err := a.resolveSalesforce(ctx, job, rows); err != nil {
		return err
	}
	activity.RecordHeartbeat(ctx, "salesforce")
	return nil
}

// planRow decides what applying a resolved row does, against the mappings of
// now: the member's (current, by member) and the Salesforce user's holder.
func planRow(r *store.JobRow, current, holders map[string]store.Mapping) (plan store.Outcome, moves bool) {
	if r.Reason != "" {
		return store.OutcomeRefused, false
	}
	if h, ok := holders[r.SalesforceUserID]; ok && h.SlackUserID != r.SlackUserID {
		r.Reason = ReasonUserMappedToOther
		return store.OutcomeRefused, false
	}
	cur, ok := current[r.SlackUserID]
	switch {
	case ok && cur.State == store.StateLinked && cur.SalesforceUserID == r.SalesforceUserID:
		return store.OutcomeUnchanged, false
	case ok && cur.State == store.StateLinked:
		return store.OutcomeInvited, true // moves a linked member to another user
	}
	return store.OutcomeInvited, false
}

// resolveSlack finds each row's member in the workspace's directory copy,
// asking Slack for the few it does not hold (members who joined since it
// was copied). A row it cannot resolve gets its refusal reason.
func (a *Activities) resolveSlack(ctx context.Context, job JobRef, rows []*store.JobRow) error {
	byEmail := job.SlackColumn == "slack_email"
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.SlackKey
	}
	found := map[string]store.Member{}
	if byEmail {
		many, err := a.Store.GetMembersByEmail(ctx, job.Workspace, keys)
		if err != nil {
			return err
		}
		for k, ms := range many {
			if len(ms) > 1 {
				found[k] = store.Member{UserID: "", Name: "ambiguous"}
				continue
			}
			found[k] = ms[0]
		}
	} else {
		many, err := a.Store.GetMembers(ctx, job.Workspace, keys)
		if err != nil {
			return err
		}
		found = many
	}
	var fetched []store.Member
	for _, r := range rows {
		k := r.SlackKey
		if byEmail {
			k = strings.ToLower(k)
		}
		m, ok := found[k]
		if !ok {
			var err error
			if m, ok, err = a.askSlack(ctx, job.Workspace, r.SlackKey, byEmail); err != nil {
				return err
			}
			if ok {
				found[k] = m // the file may name the member again
				fetched = append(fetched, m)
			}
		}
		switch {
		case !ok:
			r.Reason = ReasonUnknownMember
		case m.UserID == "" && m.Name == "ambiguous":
			r.Reason = ReasonAmbiguousMember
		case m.Deleted:
			r.Reason = ReasonDeletedMember
		default:
			r.SlackUserID, r.SlackEmail, r.SlackName = m.UserID, m.Email, firstNonEmpty(m.RealName, m.Name)
		}
	}
	// The members Slack told of join the directory copy, so that their
	// mappings are found by name (SearchMappings searches the copy).
	if len(fetched) > 0 {
		if err := a.Store.UpsertMembers(ctx, job.Workspace, fetched); err != nil {
			return fmt.Errorf("job %s: keep the members fetched from Slack: %w", job.ID, err)
		}
	}
	return nil
}

// askSlack looks a member up in Slack itself, as the directory copy holds
// it; false when Slack has none (or a bot) by that key.
func (a *Activities) askSlack(ctx context.Context, team, key string, byEmail bool) (store.Member, bool, error) {
	var m slackapi.Member
	var err error
	if byEmail {
		m, err = a.Slack.MemberByEmail(ctx, team, key)
	} else {
		m, err = a.Slack.Member(ctx, team, key)
	}
	if errors.Is(err, slackapi.ErrMemberNotFound) {
		return store.Member{}, false, nil
	}
	if err != nil {
		return store.Member{}, false, a.classify("slack member lookup", fromSlack, err)
	}
	ms := directoryMembers([]slackapi.Member{m}) // drops a bot
	if len(ms) == 0 {
		return store.Member{}, false, nil
	}
	return ms[0], true, nil
}

// resolveSalesforce finds each row's Salesforce user, by id, username or
// email, through SOQL IN queries.
func (a *Activities) resolveSalesforce(ctx context.Context, job JobRef, rows []*store.JobRow) error {
	field := map[string]string{"salesforce_user_id": "Id", "salesforce_username": "Username", "salesforce_email": "Email"}[job.SalesforceColumn]
	if field == "" {
		return refuse(ErrInvalidInput, "job %s: unknown Salesforce column %q", job.ID, job.SalesforceColumn)
	}
	var keys []string
	for _, r := range rows {
		if r.Reason == "" {
			keys = append(keys, r.SalesforceKey)
		}
	}
	users, err := a.salesforceUsersByKey(ctx, MapBatchInput{OrgURL: job.OrgURL, MatchingField: field}, keys)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Reason != "" {
			continue
		}
		k := strings.ToLower(r.SalesforceKey)
		if field == "Id" {
			k = shortID(r.SalesforceKey)
		}
		matched := users[k]
		switch {
		case len(matched) == 0:
			r.Reason = ReasonUnknownUser
		case len(matched) > 1:
			r.Reason = ReasonAmbiguousUser
		case !matched[0].IsActive:
			r.Reason = ReasonInactiveUser
		default:
			u := matched[0]
			r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail = u.Id, u.Username, u.Email
		}
	}
	return nil
}

// JobInput names a job for the whole-job activities.
type JobInput struct {
	Job    JobRef    `json:"job"`
	Now    time.Time `json:"now,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// JobPreview counts a job's rows by plan and outcome, with the reasons of
// its refusals; a job whose file never reached the store has none.
func (a *Activities) JobPreview(ctx context.Context, in JobInput) (store.JobCounts, error) {
	c, err := a.Store.JobCounts(ctx, in.Job.ID)
	if errors.Is(err, store.ErrNoJob) {
		return store.JobCounts{}, nil
	}
	return c, err
}

// LoadJob reads, once its file is uploaded, what a job started by its
// connection needs of it from the store: its key columns and its number of
// rows. The job's identity (workspace, org, connection, who imports) is
// the connection's, in in.Job; the store's record must agree with it, and
// hold every row the file has, or the upload is refused as incomplete.
func (a *Activities) LoadJob(ctx context.Context, in JobInput) (JobRef, error) {
	ref := in.Job
	j, ok, err := a.Store.GetJob(ctx, ref.ID)
	if err != nil {
		return ref, err
	}
	if !ok {
		return ref, refuse(ErrInvalidInput, "job %s has no file in the store yet: upload its rows first", ref.ID)
	}
	if j.Workspace != ref.Workspace || j.OrgID != ref.OrgID || j.ConnectionID != ref.ConnectionID {
		return ref, refuse(ErrInvalidInput, "the file stored for job %s is not of the connection of %s to %s", ref.ID, ref.Workspace, ref.OrgID)
	}
	c, err := a.Store.JobCounts(ctx, ref.ID)
	if err != nil {
		return ref, err
	}
	if c.Rows != j.Rows {
		return ref, refuse(ErrInvalidInput, "job %s: %d of the file's %d rows are stored: the upload is not complete", ref.ID, c.Rows, j.Rows)
	}
	ref.SlackColumn, ref.SalesforceColumn, ref.Rows = j.SlackColumn, j.SalesforceColumn, j.Rows
	return ref, nil
}

// SettleResult is where a job's invitations stand.
type SettleResult struct {
	Linked  int `json:"linked"`
	Expired int `json:"expired"`
	Waiting int `json:"waiting"`
}

// SettleJobInvitations follows the invitations a job made: members who
// signed in are linked, invitations past their time expire.
func (a *Activities) SettleJobInvitations(ctx context.Context, in JobInput) (SettleResult, error) {
	if _, err := a.Store.ExpireInvitations(ctx, in.Job.ConnectionID, in.Now); err != nil {
		return SettleResult{}, err
	}
	l, e, w, err := a.Store.SettleJobInvitations(ctx, in.Job.ID, in.Now)
	return SettleResult{Linked: l, Expired: e, Waiting: w}, err
}

// EndJobRows ends every row of a job that has no outcome yet with a
// refusal (a cancelled or expired job), keeping the rows already done.
func (a *Activities) EndJobRows(ctx context.Context, in JobInput) (int, error) {
	n, err := a.Store.CancelJobRows(ctx, in.Job.ID, in.Reason)
	if errors.Is(err, store.ErrNoJob) {
		return 0, nil // its file never reached the store: no row to end
	}
	return n, err
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
