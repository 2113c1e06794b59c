package testsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/workflows"
)

// The dev server is stopped in the middle of a pending approval and of a
// CSV job, and started again on the same SQLite file: both finish right.
func TestDevServerRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	renv := startSeparateEnv(t, ctx, true, "", func(c *config.Config) { c.Jobs.FollowEvery = time.Second })
	renv.worker("worker")
	rcli, must := renv.cli, renv.must
	hostPort := renv.Server.FrontendHostPort()
	const rows = 30000
	// A request waiting for its approval, and an active connection.
	must("connect", "request", "--workspace", "T0DEMO0001", "--org-url", "https://org03.my.salesforce.com", "--as", "U0OWNER01")
	acme := renv.connectAcme(rows)
	lines := []string{"slack_email,salesforce_username"}
	members, err := generatedMembers(ctx, renv.Env, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range members {
		lines = append(lines, email+","+email)
	}
	file := filepath.Join(renv.dir, "restart.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var started struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal([]byte(must(append([]string{"members", "import", file, "--yes", "--detach", "--as", "U0ADMIN01", "--output", "json"}, acme...)...).out), &started); err != nil {
		t.Fatal(err)
	}
	// Restart while the job is under way: validated, not yet all applied.
	for {
		r := rcli("jobs", "status", started.JobID, "--output", "json")
		if r.code == 0 {
			if s := decodeJob(t, r); s.Phase == workflows.PhaseApplying || s.Phase == workflows.PhaseValidating && s.Validated > 0 {
				t.Logf("restarting while the job is %s (%d validated, %d applied)", s.Phase, s.Validated, s.Applied)
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the job never got under way")
		}
		time.Sleep(50 * time.Millisecond)
	}

	if err := renv.RestartServer(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("dev server restarted on %s with the same SQLite file", hostPort)

	// The pending approval is still pending, and can be given.
	c := decodeConnection(t, must("connect", "status", "--workspace", "T0DEMO0001", "--org", "org03", "--output", "json"))
	if c.State != model.StatePendingApproval {
		t.Fatalf("after the restart: %s", c.State)
	}
	must("connect", "approve", "--workspace", "T0DEMO0001", "--org", "org03", "--matching-field", "Email", "--accept-terms", "--as", "admin@org03.example")
	// The job finishes with every row's outcome.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r := rcli("jobs", "status", started.JobID, "--output", "json")
		if r.code == 0 {
			s := decodeJob(t, r)
			if s.Phase == workflows.PhaseFollowing && s.Invited == rows {
				break
			}
			if s.Ended() {
				t.Fatalf("job ended: %+v", s)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish after the restart: %s", r)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// generatedMembers lists the emails of n generated members (ids U1…).
func generatedMembers(ctx context.Context, e *devenv.Env, n int) ([]string, error) {
	dir := slackapi.New(slackapi.Config{APIURL: e.Config.SlackURL(), TokenFor: e.Config.SlackTokenFor}, zap.NewNop())
	var emails []string
	err := dir.ListMembers(ctx, "T0DEMO0001", 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") && len(emails) < n {
				emails = append(emails, m.Email)
			}
		}
		return nil
	})
	if err == nil && len(emails) != n {
		err = fmt.Errorf("%d generated members, want %d", len(emails), n)
	}
	return emails, err
}
