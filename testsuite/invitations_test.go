package testsuite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/workflows"
)

// invitees is the size of the job whose invitations a crash interrupts.
const invitees = 12

// A CSV job's invited members are told in the background, a message a
// second, each with their personal link; the worker is killed with SIGKILL
// while it tells them and restarted: in the end every member was told
// exactly once, and the job's status says so.
func TestJobInvitationsSurviveACrashAndTellNobodyTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cenv := startSeparateEnv(t, ctx, false, "", nil)
	w := cenv.worker("worker")
	org := cenv.connectAcme(invitees)

	dirClient := slackapi.New(slackapi.Config{APIURL: cenv.Config.SlackURL(), TokenFor: cenv.Config.SlackTokenFor}, zap.NewNop())
	var lines []string
	members := map[string]bool{}
	err := dirClient.ListMembers(ctx, "T0DEMO0001", 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") {
				members[m.ID] = true
				lines = append(lines, m.ID+","+m.Email)
			}
		}
		return nil
	})
	if err != nil || len(members) != invitees {
		t.Fatalf("members: %v (%d)", err, len(members))
	}
	file := filepath.Join(cenv.dir, "invite.csv")
	if err := os.WriteFile(file, []byte("slack_user_id,salesforce_username\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cenv.must(append([]string{"members", "import", file, "--yes", "--detach", "--as", "U0ADMIN01", "--output", "json"}, org...)...)
	jobID := strings.Split(strings.Split(r.out, `"job_id": "`)[1], `"`)[0]

	wait := func(what string, ok func(workflows.JobStatus) bool) workflows.JobStatus {
		for {
			s := jobStatusOf(t, ctx, cenv.Env, jobID)
			if ok(s) {
				return s
			}
			if ctx.Err() != nil {
				t.Fatalf("the job never reached %s: %+v", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	told := func() int {
		n := 0
		for m := range members {
			n += len(cenvMessages(cenv, m))
		}
		return n
	}
	// Kill the worker once a few members were told, mid-batch.
	for told() < 3 {
		if ctx.Err() != nil {
			t.Fatalf("nobody was told: %+v", jobStatusOf(t, ctx, cenv.Env, jobID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.kill()
	before := told()
	if before >= invitees {
		t.Fatalf("all %d told before the crash: the pace is not kept", before)
	}
	t.Logf("worker killed after %d of %d invitations", before, invitees)
	w.start()

	s := wait("all told", func(s workflows.JobStatus) bool { return s.Told == invitees })
	if s.Invited != invitees || s.TellNext != invitees {
		t.Errorf("status: %+v", s)
	}
	link := strings.TrimSuffix(cenv.Config.ConsoleURL, "/") + model.MemberLinkPath("T0DEMO0001", acmeID)
	for m := range members {
		got := cenvMessages(cenv, m)
		if len(got) != 1 || !strings.Contains(got[0].Text, link) {
			t.Errorf("%s got %d invitations: %+v", m, len(got), got)
		}
	}
	if r := cenv.must("jobs", "status", jobID); !strings.Contains(r.out, "Told in Slack:") || !strings.Contains(r.out, fmt.Sprintf("%d of %d invited members", invitees, invitees)) {
		t.Errorf("jobs status does not say how many were told:\n%s", r.out)
	}
}

// cenvMessages are the invitation DMs a member of T0DEMO0001 got in a
// separate environment's sandbox.
func cenvMessages(cenv *separateEnv, member string) []sandbox.Message {
	var out []sandbox.Message
	for _, m := range cenv.Sandbox.Messages("T0DEMO0001", member) {
		if strings.Contains(m.Text, "invited to link") {
			out = append(out, m)
		}
	}
	return out
}
