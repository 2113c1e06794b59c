package sandbox_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/sandbox"
)

func TestFaults429(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	tok := clientCredentials(t, srv, "")
	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{429}, RetryAfter: 1500 * time.Millisecond, Seed: 1})

	// slack-go sees a RateLimitedError with the announced wait.
	_, err := slackClient(srv.URL, sandbox.DemoTeamID).GetUserInfo("U0OWNER01")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("slack-go error = %v, want a RateLimitedError of 2s", err)
	}
	resp, b := do(t, srv, sfRequest{path: "/api/users.info?user=U0OWNER01", token: sandbox.BotToken(sandbox.DemoTeamID)})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || string(b) != `{"error":"ratelimited","ok":false}` {
		t.Errorf("slack 429: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	resp, b = do(t, srv, sfRequest{token: tok, path: "/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id FROM User")})
	var errs []sfErr
	mustJSON(t, b, &errs)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || errs[0].ErrorCode == "" {
		t.Errorf("salesforce 429: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	// The control surface is never faulted.
	if resp, _ := do(t, srv, sfRequest{path: "/sandbox/health"}); resp.StatusCode != http.StatusOK {
		t.Errorf("control faulted: %d", resp.StatusCode)
	}
	// A sub-second Retry-After still announces one second.
	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{429}, RetryAfter: 10 * time.Millisecond})
	if resp, _ := do(t, srv, sfRequest{path: "/api/auth.test"}); resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q, want 1", resp.Header.Get("Retry-After"))
	}
	sb.ClearFaults()
	if resp, _ := do(t, srv, sfRequest{token: tok, path: "/services/oauth2/userinfo"}); resp.StatusCode != http.StatusOK {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
}

func TestFaultRateAndSeed(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	tok := clientCredentials(t, srv, "")

	pattern := func() (string, map[int]int) {
		sb.SetFaults(sandbox.Faults{ErrorRate: 0.2, Statuses: []int{500, 503}, Seed: 7})
		var p strings.Builder
		counts := map[int]int{}
		for i := 0; i < 500; i++ {
			req := sfRequest{token: tok, path: "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization"}
			if i%2 == 1 {
				req = sfRequest{token: sandbox.BotToken(sandbox.DemoTeamID), path: "/api/auth.test"}
			}
			resp, b := do(t, srv, req)
			counts[resp.StatusCode]++
			if resp.StatusCode >= 500 {
				p.WriteByte('x')
				if i%2 == 1 && !strings.Contains(string(b), `"ok":false`) {
					t.Fatalf("slack 5xx body: %s", b)
				}
				if i%2 == 0 && !strings.Contains(string(b), `"errorCode"`) {
					t.Fatalf("salesforce 5xx body: %s", b)
				}
			} else {
				p.WriteByte('.')
			}
		}
		return p.String(), counts
	}
	before := sb.Stats().FaultsInjected
	p1, counts := pattern()
	failed := counts[500] + counts[503]
	if failed < 70 || failed > 130 || counts[200]+failed != 500 {
		t.Errorf("20%% of 500 requests: got %v", counts)
	}
	if got := sb.Stats().FaultsInjected - before; got != int64(failed) {
		t.Errorf("Stats.FaultsInjected grew by %d, want %d", got, failed)
	}
	p2, _ := pattern()
	if p1 != p2 {
		t.Errorf("the same seed gave different patterns:\n%s\n%s", p1, p2)
	}
	st := sb.Stats()
	if st.FaultsByStatus[500]+st.FaultsByStatus[503] != st.FaultsInjected || st.FaultsByStatus[429] != 0 {
		t.Errorf("FaultsByStatus = %v", st.FaultsByStatus)
	}

	// Surface-limited faults leave the other surface alone.
	sb.SetFaults(sandbox.Faults{ErrorRate: 1, Statuses: []int{503}, Surface: "slack"})
	if resp, _ := do(t, srv, sfRequest{token: tok, path: "/services/oauth2/userinfo"}); resp.StatusCode != http.StatusOK {
		t.Errorf("salesforce faulted under a slack-only fault: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, sfRequest{path: "/api/auth.test"}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("slack not faulted: %d", resp.StatusCode)
	}
	sb.ClearFaults()
}

func TestFaultLatencyAndControlAPI(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	// Latency large enough to tell apart from a loaded machine's noise.
	const latency = 400 * time.Millisecond
	resp, b := postJSON(t, srv, "/sandbox/faults", `{"error_rate":0,"statuses":[429,503],"retry_after_seconds":1,"latency_ms":400,"seed":1}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /sandbox/faults: %d %s", resp.StatusCode, b)
	}
	start := time.Now()
	do(t, srv, sfRequest{path: "/api/auth.test"})
	if d := time.Since(start); d < latency {
		t.Errorf("latency not applied: %v", d)
	}
	start = time.Now()
	do(t, srv, sfRequest{path: "/sandbox/health"})
	if d := time.Since(start); d >= latency {
		t.Errorf("control request delayed: %v", d)
	}
	_, b = do(t, srv, sfRequest{path: "/sandbox/faults"})
	if !strings.Contains(string(b), `"latency_ms":400`) || !strings.Contains(string(b), `"active":true`) {
		t.Errorf("GET /sandbox/faults: %s", b)
	}
	for _, bad := range []string{`{"error_rate":2}`, `{"statuses":[200]}`, `{"surface":"mars"}`, `{"nope":1}`, `not json`} {
		if resp, b := postJSON(t, srv, "/sandbox/faults", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, b)
		}
	}
	if resp, _ := doJSON(t, srv, http.MethodDelete, "/sandbox/faults", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE /sandbox/faults: %d", resp.StatusCode)
	}
	start = time.Now()
	do(t, srv, sfRequest{path: "/api/auth.test"})
	if d := time.Since(start); d >= latency {
		t.Errorf("latency after DELETE: %v", d)
	}
	if st := sb.Stats(); st.ControlRequests < 5 || st.SlackRequests != 2 || st.SlackMethods["auth.test"] != 2 {
		t.Errorf("stats = %+v", st)
	}
}
