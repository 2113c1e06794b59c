package testsuite

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/console"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// interactivityConsole serves a console on the shared environment and
// points the sandbox's clicks at it.
func interactivityConsole(t *testing.T) (*console.Server, string) {
	t.Helper()
	settings := console.SettingsFrom(env.Config, func(string) string { return "" })
	srv, err := console.Open(env.Config, settings, &sfclient.Client{Temporal: env.Client, Config: env.Config, Store: env.Store}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	endpoint := hs.URL + console.InteractivityPath
	env.Sandbox.SetInteractivityURL(endpoint)
	return srv, endpoint
}

// signedPost posts body to the endpoint with Slack's headers, signed at at
// with the sandbox's secret (a forged signature when tamper).
func signedPost(t *testing.T, endpoint, body string, at time.Time, tamper bool) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sandbox.SignRequest(req.Header, []byte(body), at)
	if tamper {
		req.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// clickBody is the form of a block_actions payload of user in team
// clicking the Activate button of value on message ts in channel.
func clickBody(team, user, channel, ts, value string) string {
	p, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": team}, "user": map[string]any{"id": user, "team_id": team},
		"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": channel},
		"channel":   map[string]any{"id": channel},
		"actions":   []any{map[string]any{"type": "button", "block_id": "sfconnect_actions", "action_id": workflows.ButtonActivate, "value": value}},
	})
	return "payload=" + url.QueryEscape(string(p))
}

// click asks the sandbox, over its control API, to click a button as user.
func click(t *testing.T, ts, action, user string) sandbox.ClickResult {
	t.Helper()
	b, _ := json.Marshal(sandbox.ClickRequest{ActionID: action, User: user})
	resp, err := http.Post(env.SandboxURL+"/sandbox/messages/"+ts+"/click", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res sandbox.ClickResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("click: %d %v", resp.StatusCode, err)
	}
	return res
}

// The Activate button through the console's /slack/interactivity: only a
// correctly signed, fresh, first request of the button's own workspace is
// acted on; a member without the role is refused and the message says so;
// a role holder's click activates and the message says so.
func TestInteractivityActivatesFromSlack(t *testing.T) {
	srv, endpoint := interactivityConsole(t)
	ws := sandbox.NoticesTeamID
	c := decodeConnection(t, mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org22.my.salesforce.com", "--no-auto-map", "--as", "U0NOWNER1", "--output", "json"))
	org := []string{"--workspace", ws, "--org", c.OrgID}
	mustRun(t, append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org22.example"}, org...)...)
	owners := waitMessages(t, ws, "U0NOWNER1", "org22 (https://org22.my.salesforce.com) approved its connection", 1)
	holders := waitMessages(t, ws, "U0NSFADM1", "org22 (https://org22.my.salesforce.com) approved its connection", 1)
	value := workflows.ButtonValue(ws, c.OrgID)
	state := func() model.State {
		return decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...)).State
	}

	now := time.Now()
	good := clickBody(ws, "U0NOWNER1", "U0NOWNER1", owners[0].TS, value)
	for name, resp := range map[string]*http.Response{
		"bad signature":   signedPost(t, endpoint, good, now, true),
		"stale timestamp": signedPost(t, endpoint, good, now.Add(-6*time.Minute), false),
	} {
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, resp.StatusCode)
		}
	}
	// Another workspace's payload for this workspace's button: answered
	// (Slack must get its 200) but refused.
	other := signedPost(t, endpoint, clickBody(sandbox.DemoTeamID, "U0OWNER01", "U0OWNER01", owners[0].TS, value), now, false)
	// The same signed request twice: the second is a replay.
	member := clickBody(ws, "U0NMEMBR1", "U0NOWNER1", owners[0].TS, value)
	at := time.Now()
	first, replay := signedPost(t, endpoint, member, at, false), signedPost(t, endpoint, member, at, false)
	if other.StatusCode != http.StatusOK || first.StatusCode != http.StatusOK || replay.StatusCode != http.StatusUnauthorized {
		t.Errorf("other workspace %d, first %d, replay %d; want 200, 200, 401", other.StatusCode, first.StatusCode, replay.StatusCode)
	}
	srv.Wait()
	if s := state(); s != model.StatePendingActivation {
		t.Fatalf("after refused clicks: %s", s)
	}
	updated := env.Sandbox.Messages(ws, "U0NOWNER1")
	var refusal *sandbox.Message
	for i := range updated {
		if updated[i].TS == owners[0].TS {
			refusal = &updated[i]
		}
	}
	if refusal == nil || refusal.Updates != 1 || !strings.Contains(refusal.Text, "<@U0NMEMBR1> could not activate") {
		t.Errorf("the message after a member's click: %+v", refusal)
	}

	// The role holder clicks their own message, through the sandbox as Slack would.
	if res := click(t, holders[0].TS, workflows.ButtonActivate, "U0NSFADM1"); res.Status != http.StatusOK {
		t.Fatalf("click answered %d: %s", res.Status, res.Body)
	}
	srv.Wait()
	if s := state(); s != model.StateActive {
		t.Fatalf("after the role holder's click: %s", s)
	}
	got := env.Sandbox.Messages(ws, "U0NSFADM1")
	for _, m := range got {
		if m.TS == holders[0].TS && (m.Updates != 1 || !strings.Contains(m.Text, "Activated by <@U0NSFADM1>")) {
			t.Errorf("the message after activation: %+v", m)
		}
	}
	st := decodeConnection(t, mustRun(t, append([]string{"connect", "status", "--output", "json"}, org...)...))
	last := st.History[len(st.History)-1]
	if last.Action != model.ActionActivate || last.By != "U0NSFADM1" || last.Unverified {
		t.Errorf("activation recorded as %+v", last)
	}

	// A risky CSV job (every row refused) awaits approval: its creator's
	// DM has an Approve preview button, which approves it as them.
	file := writeFile(t, "risky.csv", "slack_user_id,salesforce_username\nU0NMEMBR1,nobody@org22.example\n")
	job := decodeJob(t, mustRun(t, append([]string{"members", "import", file, "--as", "U0NOWNER1", "--output", "json"}, org...)...))
	if job.Phase != workflows.PhaseAwaitingApproval {
		t.Fatalf("risky job: %+v", job)
	}
	ask := waitMessages(t, ws, "U0NOWNER1", "CSV job "+job.ID+" awaits your approval", 1)[0]
	if b := buttonsOf(t, ask); b[workflows.ButtonApproveJob] != job.ID || !strings.HasSuffix(b["sfconnect_open_console"], workflows.JobPagePrefix+job.ID) {
		t.Errorf("the job's notice: %v", b)
	}
	if res := click(t, ask.TS, workflows.ButtonApproveJob, "U0NOWNER1"); res.Status != http.StatusOK {
		t.Fatalf("click answered %d: %s", res.Status, res.Body)
	}
	srv.Wait()
	job = decodeJob(t, mustRun(t, "jobs", "status", job.ID, "--output", "json"))
	if job.Phase == workflows.PhaseAwaitingApproval || job.ApprovedBy != "U0NOWNER1" || job.ApprovedUnverified {
		t.Errorf("after Approve preview: %+v", job)
	}
	for _, m := range env.Sandbox.Messages(ws, "U0NOWNER1") {
		if m.TS == ask.TS && !strings.Contains(m.Text, "Approved by <@U0NOWNER1>") {
			t.Errorf("the job's message after approval: %q", m.Text)
		}
	}
	mustRun(t, append([]string{"connect", "disconnect", "--as", "U0NOWNER1", "--yes"}, org...)...)
}
