package activities_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"go.temporal.io/sdk/testsuite"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
)

// jobFixture is a job of four generated members, each row naming the
// member's matching Salesforce user by username, in a store of its own.
type jobFixture struct {
	acts *activities.Activities
	sb   *sandbox.Sandbox
	env  *testsuite.TestActivityEnvironment
	job  activities.JobRef
}

func newJobFixture(t *testing.T) *jobFixture {
	t.Helper()
	ctx := context.Background()
	a, sb := newActivities(t)
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a.Store = st
	if _, err := sb.Generate(sandbox.GenerateRequest{Team: "T0DEMO0001", Members: 4, Org: "acme", Users: 4, Match: 1}); err != nil {
		t.Fatal(err)
	}
	var rows []store.JobRow
	err = a.Slack.ListMembers(ctx, "T0DEMO0001", 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") { // the generated ones
				rows = append(rows, store.JobRow{Seq: len(rows), Line: len(rows) + 2, SlackKey: m.ID, SalesforceKey: m.Email})
			}
		}
		return nil
	})
	if err != nil || len(rows) != 4 {
		t.Fatalf("generated members: %d, %v", len(rows), err)
	}
	job := activities.JobRef{ID: "J1", Workspace: "T0DEMO0001", OrgID: "00D000000000001AAA", OrgURL: "https://acme.my.salesforce.com",
		ConnectionID: "C1", SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_username", Rows: len(rows), CreatedBy: "U0ADMIN01"}
	if err := st.CreateJob(ctx, store.Job{ID: job.ID, Workspace: job.Workspace, OrgID: job.OrgID, ConnectionID: job.ConnectionID,
		FileName: "f.csv", CreatedBy: job.CreatedBy, SlackColumn: job.SlackColumn, SalesforceColumn: job.SalesforceColumn, Rows: job.Rows}); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendJobRows(ctx, job.ID, rows); err != nil {
		t.Fatal(err)
	}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	return &jobFixture{acts: a, sb: sb, env: env, job: job}
}

func (f *jobFixture) run(t *testing.T, fn any, in activities.JobBatchInput) (activities.JobBatchResult, error) {
	t.Helper()
	var res activities.JobBatchResult
	v, err := f.env.ExecuteActivity(fn, in)
	if err == nil {
		err = v.Get(&res)
	}
	return res, err
}

func (f *jobFixture) rows(t *testing.T) []store.JobRow {
	t.Helper()
	rows, err := f.acts.Store.JobRows(context.Background(), f.job.ID, 0, f.job.Rows)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Validation stores what it resolved; an apply that trusts it asks no
// directory (here every Slack and Salesforce call fails) yet still checks
// the mappings of now: a user taken since validation is refused.
func TestApplyTrustsARecentValidation(t *testing.T) {
	f := newJobFixture(t)
	ctx := context.Background()
	in := activities.JobBatchInput{Job: f.job, From: 0, To: f.job.Rows, Key: "validate/0"}
	res, err := f.run(t, f.acts.ValidateJobBatch, in)
	if err != nil || res.Invited != 4 {
		t.Fatalf("validate: %+v, %v", res, err)
	}
	validated := f.rows(t)
	for _, r := range validated {
		if r.Plan != store.OutcomeInvited || r.Outcome != store.OutcomeNone || r.SlackUserID != r.SlackKey || r.SalesforceUserID == "" {
			t.Fatalf("validated row: %+v", r)
		}
	}
	// Another member takes row 1's Salesforce user after the validation.
	taken := validated[1]
	if _, err := f.acts.Store.ApplyMappings(ctx, "", []store.Mapping{{ConnectionID: f.job.ConnectionID, Workspace: f.job.Workspace, OrgID: f.job.OrgID,
		SlackUserID: "U0OTHER01", SlackEmail: "other@example.com", SlackName: "Other", SalesforceUserID: taken.SalesforceUserID,
		SalesforceUsername: taken.SalesforceUsername, SalesforceEmail: taken.SalesforceEmail,
		State: store.StateLinked, Source: store.SourceManual, UpdatedBy: "test"}}); err != nil {
		t.Fatal(err)
	}
	f.sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{503}})

	untrusted := in
	untrusted.Key, untrusted.InviteExpiresAt = "apply/0", time.Now().Add(time.Hour)
	if _, err := f.run(t, f.acts.ApplyJobBatch, untrusted); err == nil {
		t.Fatal("an apply that does not trust the validation succeeded without the directories")
	}
	trusted := untrusted
	trusted.TrustValidation = true
	res, err = f.run(t, f.acts.ApplyJobBatch, trusted)
	if err != nil || res.Invited != 3 || res.Refused != 1 {
		t.Fatalf("trusted apply: %+v, %v", res, err)
	}
	for i, r := range f.rows(t) {
		want, reason := store.OutcomeInvited, ""
		if i == 1 {
			want, reason = store.OutcomeRefused, activities.ReasonUserMappedToOther
		}
		if r.Outcome != want || r.Reason != reason {
			t.Errorf("row %d: %q %q, want %q %q", i, r.Outcome, r.Reason, want, reason)
		}
		m, err := f.acts.Store.GetMappings(ctx, f.job.ConnectionID, []string{r.SlackUserID})
		if got := m[r.SlackUserID]; err != nil || (i != 1) != (got.State == store.StateInvited && got.SalesforceUserID == r.SalesforceUserID) {
			t.Errorf("row %d's mapping: %+v, %v", i, got, err)
		}
	}
}

// An apply that does not trust the validation resolves every row again: a
// user deactivated since the preview is refused.
func TestApplyAfterAnOldValidationResolvesAgain(t *testing.T) {
	f := newJobFixture(t)
	in := activities.JobBatchInput{Job: f.job, From: 0, To: f.job.Rows, Key: "validate/0"}
	if res, err := f.run(t, f.acts.ValidateJobBatch, in); err != nil || res.Invited != 4 {
		t.Fatalf("validate: %+v, %v", res, err)
	}
	gone := f.rows(t)[2]
	if err := f.sb.SetUserActive("acme", gone.SalesforceUsername, false); err != nil {
		t.Fatal(err)
	}
	in.Key, in.InviteExpiresAt = "apply/0", time.Now().Add(time.Hour)
	res, err := f.run(t, f.acts.ApplyJobBatch, in)
	if err != nil || res.Invited != 3 || res.Refused != 1 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	if r := f.rows(t)[2]; r.Outcome != store.OutcomeRefused || r.Reason != activities.ReasonInactiveUser || r.SalesforceUserID != "" {
		t.Fatalf("row of the deactivated user: %+v", r)
	}
}

// The fixture's directory copy is empty, so validation asks Slack for each
// member; those members join the copy, and the mappings the job makes are
// then found by their members' names.
func TestValidationKeepsTheMembersSlackToldOf(t *testing.T) {
	f := newJobFixture(t)
	ctx := context.Background()
	in := activities.JobBatchInput{Job: f.job, From: 0, To: f.job.Rows, Key: "validate/0"}
	if res, err := f.run(t, f.acts.ValidateJobBatch, in); err != nil || res.Invited != 4 {
		t.Fatalf("validate: %+v, %v", res, err)
	}
	rows := f.rows(t)
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.SlackKey
	}
	copied, err := f.acts.Store.GetMembers(ctx, f.job.Workspace, ids)
	if err != nil || len(copied) != len(ids) {
		t.Fatalf("members in the copy after validation: %d of %d, %v", len(copied), len(ids), err)
	}
	in.Key, in.InviteExpiresAt, in.TrustValidation = "apply/0", time.Now().Add(time.Hour), true
	if res, err := f.run(t, f.acts.ApplyJobBatch, in); err != nil || res.Invited != 4 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	for _, r := range rows {
		name := copied[r.SlackKey].RealName
		found, err := f.acts.Store.SearchMappings(ctx, f.job.ConnectionID, name, 10)
		if err != nil || len(found) == 0 || found[0].SlackUserID != r.SlackKey {
			t.Errorf("search %q: %+v, %v", name, found, err)
		}
	}
}

// TestMapBatchMatchesByFederationIdentifier: automatic mapping by SAML
// NameID asks Salesforce for FederationIdentifier (the only match that
// reads it) and links each generated member to its user.
func TestMapBatchMatchesByFederationIdentifier(t *testing.T) {
	f := newJobFixture(t)
	v, err := f.env.ExecuteActivity(f.acts.MapBatch, activities.MapBatchInput{
		ConnectionID: f.job.ConnectionID, Workspace: f.job.Workspace, OrgID: f.job.OrgID, OrgURL: f.job.OrgURL,
		MappingField: model.MappingSAMLNameID, MatchingField: string(model.MatchFederationIdentifier), Members: 1000, Key: "k1",
	})
	var res activities.MapBatchResult
	if err == nil {
		err = v.Get(&res)
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range f.rows(t) {
		ids = append(ids, r.SlackKey)
	}
	got, err := f.acts.Store.GetMappings(context.Background(), f.job.ConnectionID, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.rows(t) {
		if m := got[r.SlackKey]; m.State != store.StateLinked || m.SalesforceUsername != r.SalesforceKey {
			t.Errorf("member %s: mapping %+v, want linked to %s (MapBatch: %+v)", r.SlackKey, m, r.SalesforceKey, res)
		}
	}
}

// LoadJob takes a job's columns and rows from the store, once they are all
// there, and refuses a file of another connection or with rows missing;
// a job whose file never arrived has no rows to end.
func TestLoadJobReadsTheStore(t *testing.T) {
	f := newJobFixture(t)
	ctx := context.Background()
	load := func(ref activities.JobRef) (activities.JobRef, error) {
		v, err := f.env.ExecuteActivity(f.acts.LoadJob, activities.JobInput{Job: ref})
		var out activities.JobRef
		if err == nil {
			err = v.Get(&out)
		}
		return out, err
	}
	asked := activities.JobRef{ID: f.job.ID, Workspace: f.job.Workspace, OrgID: f.job.OrgID, OrgURL: f.job.OrgURL, ConnectionID: f.job.ConnectionID, CreatedBy: "U0OWNER01", Rows: 99, SlackColumn: "slack_email"}
	got, err := load(asked)
	if err != nil || got.Rows != 4 || got.SlackColumn != "slack_user_id" || got.SalesforceColumn != "salesforce_username" || got.CreatedBy != "U0OWNER01" {
		t.Fatalf("loaded %+v, %v", got, err)
	}
	other := asked
	other.ConnectionID = "C2"
	if _, err := load(other); err == nil || !strings.Contains(err.Error(), "not of the connection") {
		t.Errorf("another connection's file: %v", err)
	}
	if err := f.acts.Store.CreateJob(ctx, store.Job{ID: "J2", Workspace: f.job.Workspace, OrgID: f.job.OrgID, ConnectionID: f.job.ConnectionID,
		FileName: "g.csv", CreatedBy: "U0ADMIN01", SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_username", Rows: 3}); err != nil {
		t.Fatal(err)
	}
	if err := f.acts.Store.AppendJobRows(ctx, "J2", []store.JobRow{{Seq: 0, Line: 2, SlackKey: "U1", SalesforceKey: "x"}}); err != nil {
		t.Fatal(err)
	}
	cut := asked
	cut.ID = "J2"
	if _, err := load(cut); err == nil || !strings.Contains(err.Error(), "1 of the file's 3 rows") {
		t.Errorf("an incomplete upload: %v", err)
	}
	none := asked
	none.ID = "J3"
	if _, err := load(none); err == nil || !strings.Contains(err.Error(), "no file") {
		t.Errorf("no upload: %v", err)
	}
	if v, err := f.env.ExecuteActivity(f.acts.EndJobRows, activities.JobInput{Job: none, Reason: activities.ReasonUploadIncomplete}); err != nil {
		t.Errorf("ending the rows of a job without a file: %v", err)
	} else {
		var n int
		_ = v.Get(&n)
		if n != 0 {
			t.Errorf("%d rows ended", n)
		}
	}
}
