package testsuite

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/workflows"
)

func decodeJob(t *testing.T, r result) workflows.JobStatus {
	t.Helper()
	var s workflows.JobStatus
	if err := json.Unmarshal([]byte(r.out), &s); err != nil {
		t.Fatalf("job json: %v\n%s", err, r)
	}
	return s
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The import's file: a BOM, semicolons, CRLF, headers in another order and
// case, an extra column with quoted delimiters and a line break; three good
// rows and five refused for each of SPEC section 5's reasons.
const importFile = "\ufeffSalesforce_Username;Slack_User_ID;Note\r\n" +
	"member1@acme.example;U0MEMBER1;\"a; b\"\r\n" + // line 2: invited, then linked by sign-in
	"member2@acme.example;U0MEMBER2;x\r\n" + // 3: invited
	"nobody@acme.example;U0MEMBER4;x\r\n" + // 4: unknown Salesforce user
	"member9@acme.example;U0MEMBER9;x\r\n" + // 5: inactive Salesforce user
	"member3@acme.example;U0NOSUCH99;x\r\n" + // 6: unknown Slack member
	"member5@acme.example;U0MEMBER1;x\r\n" + // 7: duplicate of line 2's member
	"member6@acme.example;not-an-id;x\r\n" + // 8: malformed
	"member7@acme.example;U0MEMBER7;\"two\r\nlines\"\r\n" // 9-10: invited

func TestCSVImportEndToEnd(t *testing.T) {
	const ws = "T0DEMO0001"
	cfg := env.Config
	run := func(args ...string) result { return cli(t, &cfg, "", args...) }
	org := []string{"--workspace", ws, "--org", "acme"}
	with := func(args ...string) []string { return append(args, org...) }

	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER01")...)

	// Files refused before any job starts.
	for name, content := range map[string]string{
		"empty.csv":       "",
		"header-only.csv": "slack_user_id,salesforce_username\n",
		"no-sf.csv":       "slack_user_id,name\nU0MEMBER1,x\n",
		"binary.csv":      "PK\x03\x04\x00\x00binary",
	} {
		r := run(with("members", "import", writeFile(t, name, content), "--yes", "--as", "U0ADMIN01")...)
		if r.code != 1 || !strings.Contains(r.err, "no job started") {
			t.Errorf("%s: %s", name, r)
		}
	}
	if r := run(with("members", "import", writeFile(t, "ok.csv", importFile), "--as", "U0MEMBER2")...); r.code != 1 || !strings.Contains(r.err, "U0MEMBER2") {
		t.Errorf("a plain member imported: %s", r)
	}

	// Five of eight rows refused: --yes is not enough, the job waits.
	r := run(with("members", "import", writeFile(t, "members.csv", importFile), "--yes", "--as", "U0ADMIN01", "--output", "json")...)
	if r.code != 0 {
		t.Fatal(r)
	}
	job := decodeJob(t, r)
	if job.Phase != workflows.PhaseAwaitingApproval || job.Rows != 8 || job.WouldInvite != 3 || job.WouldRefuse != 5 || len(job.Risks) != 1 {
		t.Fatalf("preview: %+v", job)
	}
	if r := run("jobs", "approve", job.ID, "--as", "U0MEMBER2"); r.code != 1 {
		t.Errorf("a plain member approved: %s", r)
	}
	job = decodeJob(t, run("jobs", "approve", job.ID, "--as", "U0ADMIN01", "--output", "json"))
	eventually(t, 30*time.Second, func() error {
		job = decodeJob(t, run("jobs", "status", job.ID, "--output", "json"))
		if job.Phase != workflows.PhaseFollowing || job.Invited != 3 || job.Refused != 5 {
			return fmt.Errorf("after approval: %+v", job)
		}
		return nil
	})
	if r := run("jobs", "cancel", job.ID, "--as", "U0ADMIN01"); r.code != 1 || !strings.Contains(r.err, "nothing left to cancel") {
		t.Errorf("cancel while following: %s", r)
	}

	// A member signs in: the job sees its invitation become a link.
	mustRun(t, with("members", "signin", "--member", "U0MEMBER1", "--salesforce-user", "member1@acme.example")...)
	eventually(t, 30*time.Second, func() error {
		job = decodeJob(t, run("jobs", "status", job.ID, "--output", "json"))
		if job.Linked != 1 || job.Waiting != 2 {
			return fmt.Errorf("after the sign-in: %+v", job)
		}
		return nil
	})

	// Every row, with its line in the file, its outcome and its reason.
	out := mustRun(t, "jobs", "results", job.ID).out
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"2": "linked/", "3": "invited/", "4": "refused/unknown Salesforce user", "5": "refused/inactive Salesforce user",
		"6": "refused/unknown Slack member", "7": "refused/duplicate", "8": "refused/malformed", "9": "invited/",
	}
	if len(rows) != 9 {
		t.Fatalf("results: %d rows\n%s", len(rows), out)
	}
	for _, row := range rows[1:] {
		w, ok := want[row[0]]
		outcome, reason, _ := strings.Cut(w, "/")
		if !ok || row[3] != outcome || !strings.HasPrefix(row[4], reason) {
			t.Errorf("line %s: %s / %q, want %s", row[0], row[3], row[4], w)
		}
	}

	// A clean file with --yes runs without a question.
	clean := writeFile(t, "clean.csv", "slack_email,salesforce_user_id\nmember5@acme.example,"+salesforceID(t, "member5@acme.example")+"\n")
	second := decodeJob(t, run(with("members", "import", clean, "--yes", "--as", "U0ADMIN01", "--output", "json")...))
	if second.Phase != workflows.PhaseFollowing || second.Invited != 1 || !strings.Contains(second.ApprovedBy, "--yes") {
		t.Fatalf("clean job: %+v", second)
	}

	// A detached risky job, cancelled before its approval: every row ends.
	third := run(with("members", "import", writeFile(t, "again.csv", importFile), "--detach", "--as", "U0ADMIN01", "--output", "json")...)
	var detached struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal([]byte(third.out), &detached); err != nil || detached.JobID == "" {
		t.Fatalf("detach: %v %s", err, third)
	}
	eventually(t, 30*time.Second, func() error {
		if s := decodeJob(t, run("jobs", "status", detached.JobID, "--output", "json")); s.Phase != workflows.PhaseAwaitingApproval {
			return fmt.Errorf("phase %s", s.Phase)
		}
		return nil
	})
	mustRun(t, "jobs", "cancel", detached.JobID, "--as", "U0ADMIN01")
	eventually(t, 30*time.Second, func() error {
		s := decodeJob(t, run("jobs", "status", detached.JobID, "--output", "json"))
		if s.Phase != workflows.PhaseCancelled || s.Refused != 8 {
			return fmt.Errorf("cancelled job: %+v", s)
		}
		return nil
	})
	recordHistory(t, "job-cancelled", workflows.JobWorkflowID(detached.JobID))
	if r := run("jobs", "status", "no-such-job"); r.code != 1 || !strings.Contains(r.err, "no job") {
		t.Errorf("unknown job: %s", r)
	}
	mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
}

// salesforceID reads a user's id from the sandbox's Salesforce, through
// the product's own client.
func salesforceID(t *testing.T, username string) string {
	t.Helper()
	org, err := salesforce.NewFactory(salesforce.Config{ClientID: "it", ClientSecret: "it", SandboxAddr: env.Config.SandboxAddr()}, zap.NewNop()).Org("https://acme.my.salesforce.com")
	if err != nil {
		t.Fatal(err)
	}
	u, err := org.FindUser(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Id
}

// A file as Excel in French saves it (Windows-1252, semicolons, CRLF) is
// read as such: the preview says so and the accents come through intact.
func TestCSVImportInWindows1252(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "org08"}
	with := func(args ...string) []string { return append(args, org...) }
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org08.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org08.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER01")...)
	defer mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)

	// "Prénom;…\r\nHélène;…;hélène@org08.example" in Windows-1252.
	file := writeFile(t, "excel-fr.csv", "Pr\xe9nom;slack_user_id;salesforce_username\r\nH\xe9l\xe8ne;U0MEMBER1;h\xe9l\xe8ne@org08.example\r\n")
	var job struct {
		ID string `json:"job_id"`
	}
	if r := mustRun(t, with("members", "import", file, "--detach", "--as", "U0ADMIN01", "--output", "json")...); json.Unmarshal([]byte(r.out), &job) != nil || job.ID == "" {
		t.Fatalf("import: %s", r)
	}
	eventually(t, 30*time.Second, func() error {
		s := decodeJob(t, run(t, "jobs", "status", job.ID, "--output", "json"))
		if s.Phase != workflows.PhaseAwaitingApproval || s.Encoding != "Windows-1252" {
			return fmt.Errorf("preview: %+v", s)
		}
		return nil
	})
	// Visibility finds the job by its phase in SfJobPhase, and SfState
	// (the connections' state) does not know it.
	eventually(t, 30*time.Second, func() error {
		return visibleJob(t, job.ID, workflows.PhaseAwaitingApproval)
	})
	if out := mustRun(t, "jobs", "status", job.ID).out; !strings.Contains(out, "Windows-1252") {
		t.Errorf("the preview does not say the encoding:\n%s", out)
	}
	if out := mustRun(t, "jobs", "results", job.ID).out; !strings.Contains(out, "hélène@org08.example") {
		t.Errorf("the accents did not come through:\n%s", out)
	}
	// Signals the job refuses, one of them unreadable, are kept as
	// attempts with their reasons (through the codec, as the worker runs).
	if err := env.Client.SignalWorkflow(t.Context(), workflows.JobWorkflowID(job.ID), "", workflows.UpdateJobApprove, workflows.JobDecision{Caller: workflows.Caller{As: "U0MEMBER2"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.SignalWorkflow(t.Context(), workflows.JobWorkflowID(job.ID), "", workflows.UpdateJobApprove, map[string]any{"as": 5}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		s := decodeJob(t, run(t, "jobs", "status", job.ID, "--output", "json"))
		if len(s.Attempts) != 2 || s.Attempts[0].By != "U0MEMBER2" || !strings.Contains(s.Attempts[1].Reason, "payload could not be read") || s.Phase != workflows.PhaseAwaitingApproval {
			return fmt.Errorf("attempts: %+v (phase %s)", s.Attempts, s.Phase)
		}
		return nil
	})
	if out := mustRun(t, "jobs", "status", job.ID).out; !strings.Contains(out, "Refused signal:") {
		t.Errorf("jobs status does not show the refused signals:\n%s", out)
	}
	mustRun(t, "jobs", "cancel", job.ID, "--as", "U0ADMIN01")
}

// visibleJob checks that visibility shows job id in phase under
// SfJobPhase, and not under SfState.
func visibleJob(t *testing.T, id, phase string) error {
	t.Helper()
	count := func(q string) int {
		resp, err := env.Client.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return len(resp.Executions)
	}
	wf := fmt.Sprintf("WorkflowId = %q", workflows.JobWorkflowID(id))
	if n := count(wf + fmt.Sprintf(" AND %s = %q", workflows.JobPhaseKey.GetName(), phase)); n != 1 {
		return fmt.Errorf("job %s: %d workflows with %s = %s", id, n, workflows.JobPhaseKey.GetName(), phase)
	}
	if n := count(wf + fmt.Sprintf(" AND %s = %q", workflows.StateKey.GetName(), phase)); n != 0 {
		return fmt.Errorf("job %s has %s = %s: jobs share the connections' attribute", id, workflows.StateKey.GetName(), phase)
	}
	return nil
}
