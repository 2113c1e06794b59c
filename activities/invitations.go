package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/store"
)

// invitation is the DM that asks a member to link their accounts: their
// personal link to the console (model.MemberLinkPath), which signs them in
// with Slack, then Salesforce, and completes their mapping.
func (a *Activities) invitation(team, orgID, orgURL, member string, expiresAt time.Time, key string) NotifyInput {
	return NotifyInput{
		Team: team, Channel: member, Key: key,
		Text: fmt.Sprintf("You were invited to link your Slack account to Salesforce org %s. Sign in with Slack, then Salesforce, before %s:",
			orgURL, expiresAt.UTC().Format(time.RFC1123)),
		Link: model.MemberLinkPath(team, orgID), LinkText: "Link your accounts",
	}
}

// DefaultInviteEvery is the pause between a job's invitation DMs: about one
// message a second, Slack's posting rate, so that a large job stays within
// its limits (a 429 is still waited out, as its Retry-After says).
const DefaultInviteEvery = time.Second

// TellJobInviteesInput is a range of a job's rows, From <= Seq < To, whose
// invited members are to be told.
type TellJobInviteesInput struct {
	Job       JobRef    `json:"job"`
	From      int       `json:"from"`
	To        int       `json:"to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// jobInvitationKey is the identity of a job's invitation to a member: told
// once per job, whatever retries or crashes come between.
func jobInvitationKey(jobID, member string) string {
	return "job/" + jobID + "/invitation/" + member
}

// TellJobInvitees sends each member still invited by the rows of the range
// their invitation DM, once (keyed by job and member), one message per
// InviteEvery. It returns how many of the range's members have been told,
// now or by an attempt before a crash.
func (a *Activities) TellJobInvitees(ctx context.Context, in TellJobInviteesInput) (int, error) {
	rows, err := a.Store.JobRows(ctx, in.Job.ID, in.From, in.To)
	if err != nil {
		return 0, err
	}
	every := a.InviteEvery
	if every <= 0 {
		every = DefaultInviteEvery
	}
	told := 0
	var last time.Time
	for _, r := range rows {
		if r.Outcome != store.OutcomeInvited || r.SlackUserID == "" {
			continue
		}
		key := jobInvitationKey(in.Job.ID, r.SlackUserID)
		// A pending one (claimed, maybe posted) goes through Notify,
		// which looks in Slack first; it is paced like a new one.
		if ts, found, err := a.Store.NoticeSent(ctx, key); err != nil {
			return told, err
		} else if found && ts != "" {
			told++
			continue
		}
		if wait := every - time.Since(last); !last.IsZero() && wait > 0 {
			select {
			case <-ctx.Done():
				return told, ctx.Err()
			case <-time.After(wait):
			}
		}
		last = time.Now()
		if err := a.Notify(ctx, a.invitation(in.Job.Workspace, in.Job.OrgID, in.Job.OrgURL, r.SlackUserID, in.ExpiresAt, key)); err != nil {
			return told, err
		}
		told++
		activity.RecordHeartbeat(ctx, r.Seq)
	}
	return told, nil
}
