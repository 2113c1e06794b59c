package testsuite

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/workflows"
)

// messagesWith returns the messages to channel of ws whose text contains s.
func messagesWith(ws, channel, s string) []sandbox.Message {
	var out []sandbox.Message
	for _, m := range env.Sandbox.Messages(ws, channel) {
		if strings.Contains(m.Text, s) {
			out = append(out, m)
		}
	}
	return out
}

// waitMessages waits for exactly n messages to channel containing s, and
// a moment more to see that no other comes.
func waitMessages(t *testing.T, ws, channel, s string, n int) []sandbox.Message {
	t.Helper()
	eventually(t, 20*time.Second, func() error {
		if got := len(messagesWith(ws, channel, s)); got < n {
			return errorf("%d messages to %s with %q, want %d", got, channel, s, n)
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond)
	got := messagesWith(ws, channel, s)
	if len(got) != n {
		t.Fatalf("%d messages to %s with %q, want %d: %+v", len(got), channel, s, n, got)
	}
	return got
}

// buttonsOf returns a message's buttons: action id → value (or URL).
func buttonsOf(t *testing.T, m sandbox.Message) map[string]string {
	t.Helper()
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatalf("blocks of %s: %v: %s", m.TS, err, m.Blocks)
	}
	out := map[string]string{}
	for _, b := range blocks {
		for _, e := range b.Elements {
			out[e.ActionID] = e.Value
			if e.URL != "" {
				out[e.ActionID] = e.URL
			}
		}
	}
	return out
}

// Everyone who must act is told once, with a console link that names the
// org; the admin whom Slack does not know is listed; the Activate button
// reaches the owner and the role holder; the requester hears each outcome.
func TestNoticesReachWhoMustAct(t *testing.T) {
	ws := sandbox.NoticesTeamID
	console := strings.TrimSuffix(env.Config.ConsoleURL, "/")
	c := decodeConnection(t, mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org24.my.salesforce.com", "--as", "U0NOWNER1", "--output", "json"))
	org := []string{"--workspace", ws, "--org", c.OrgID}

	asked := waitMessages(t, ws, "U0NORGAD1", "asks to connect", 1)[0]
	approval := console + workflows.ApprovalPagePrefix + c.OrgID
	if !strings.Contains(asked.Text, approval) || !strings.Contains(asked.Text, "<@U0NOWNER1>") || buttonsOf(t, asked)["sfconnect_open_console"] != approval {
		t.Errorf("Step 2's notice: %+v", asked)
	}
	waitMessages(t, ws, "U0NOWNER1", "org24 (https://org24.my.salesforce.com) was sent", 1)
	st := decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...))
	if len(st.NotReachable) != 1 || !strings.HasPrefix(st.NotReachable[0], "Org 24 Second Admin") {
		t.Errorf("not reachable in Slack: %v", st.NotReachable)
	}
	if r := mustRun(t, append([]string{"connect", "status"}, org...)...); !strings.Contains(r.out, "Not reachable in Slack:") || !strings.Contains(r.out, "Org 24 Second Admin") {
		t.Errorf("status does not list who Slack cannot reach:\n%s", r.out)
	}

	mustRun(t, append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org24.example"}, org...)...)
	waitMessages(t, ws, "U0NOWNER1", "approved the connection to Salesforce org org24", 1)
	page := console + workflows.OrgPagePrefix + c.OrgID
	for _, m := range []string{"U0NOWNER1", "U0NSFADM1"} {
		got := waitMessages(t, ws, m, "org24 (https://org24.my.salesforce.com) approved its connection", 1)[0]
		b := buttonsOf(t, got)
		if b[workflows.ButtonActivate] != workflows.ButtonValue(ws, c.OrgID) || b["sfconnect_open_console"] != page || !strings.Contains(got.Text, page) {
			t.Errorf("Step 3's notice to %s: %+v (buttons %v)", m, got, b)
		}
	}
	if n := len(messagesWith(ws, "U0NMEMBR1", "")); n != 0 {
		t.Errorf("a plain member got %d notices", n)
	}

	mustRun(t, append([]string{"connect", "activate", "--as", "U0NOWNER1"}, org...)...)
	waitMessages(t, ws, "U0NOWNER1", "org org24 is active", 1)
	mustRun(t, append([]string{"connect", "disconnect", "--as", "U0NOWNER1", "--yes"}, org...)...)
	waitMessages(t, ws, "U0NOWNER1", "disconnected Salesforce org org24", 1)
	eventually(t, 20*time.Second, func() error {
		if s, _ := listed(t, ws, c.OrgID); s != model.StateDisconnected {
			return errorf("state %s", s)
		}
		return nil
	})
	// Nobody got a notice twice.
	waitMessages(t, ws, "U0NORGAD1", "asks to connect", 1)
}
