package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/sandbox"
)

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func TestGenerate200k(t *testing.T) {
	// Not parallel: it measures time and memory.
	sb, srv := newServer(t)
	before := heapMB()
	start := time.Now()
	res, err := sb.Generate(sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 200_000, Org: "acme", Users: 200_000, Match: 0.75})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("Generate 200,000 members + 200,000 users: %v, heap +%.0f MB", elapsed, heapMB()-before)
	runtime.KeepAlive(sb)
	if res.Matched != 150_000 || res.TotalMembers != 200_012 || res.TotalUsers != 200_015 {
		t.Errorf("result = %+v", res)
	}
	if !strings.HasPrefix(res.FirstMemberID, "U1") || !strings.HasPrefix(res.FirstUserID, "0059") || len(res.FirstUserID) != 18 {
		t.Errorf("ids: %+v", res)
	}

	api := slackClient(srv.URL, sandbox.DemoTeamID)
	tok := clientCredentials(t, srv, "")

	// Walk a sample of members: a matched one has exactly one active user
	// with its email and NameID; the others have none.
	p, err := api.GetUsersPaginated(slack.GetUsersOptionLimit(1000), slack.GetUsersOptionCursor("")).Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	matched, checked := 0, 0
	for _, u := range p.Users[len(p.Users)-40:] {
		nameID := u.Profile.FieldsMap()[sandbox.SAMLNameIDField].Value
		r := soql(t, srv, "", tok, fmt.Sprintf(
			"SELECT Id, Email, FederationIdentifier FROM User WHERE Email = '%s' AND IsActive = true", strings.ToUpper(u.Profile.Email)))
		checked++
		if r.TotalSize == 1 {
			matched++
			if r.Records[0]["FederationIdentifier"] != nameID {
				t.Errorf("%s: NameID %q, user %v", u.ID, nameID, r.Records[0])
			}
		} else if r.TotalSize != 0 {
			t.Errorf("%s: %d users", u.ID, r.TotalSize)
		}
	}
	if matched < checked/2 || matched == checked {
		t.Errorf("%d of %d sampled members matched, want about 3/4", matched, checked)
	}

	// Deep pages and lookups stay fast: no scan of 200,000 records.
	start = time.Now()
	deep := api.GetUsersPaginated(slack.GetUsersOptionLimit(1000))
	for i := 0; i < 5; i++ {
		if deep, err = deep.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	last := deep.Users[len(deep.Users)-1]
	u, err := api.GetUserByEmail(last.Profile.Email)
	if err != nil || u.ID != last.ID {
		t.Errorf("lookup %s: %v %v", last.Profile.Email, u, err)
	}
	r := soql(t, srv, "", tok, "SELECT Id FROM User WHERE Id > '005900000100000AAA' ORDER BY Id LIMIT 2000")
	if len(r.Records) != 2000 || r.Records[0]["Id"] != "005900000100001AAA" {
		t.Errorf("keyset page starts at %v", r.Records[0]["Id"])
	}
	t.Logf("5 pages of users.list, a lookupByEmail and a keyset SOQL page over 200k: %v", time.Since(start))

	// The control API generates too.
	resp, b := postJSON(t, srv, "/sandbox/generate", `{"team":"T0DEMO0002","members":1000,"org":"org02","users":1000,"match":1.0}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"matched":1000`) {
		t.Errorf("POST /sandbox/generate: %d %s", resp.StatusCode, b)
	}
}

func TestGenerateRefusals(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	for _, c := range []struct {
		g    sandbox.GenerateRequest
		want error
	}{
		{sandbox.GenerateRequest{Team: "T0NOPE0001", Members: 1}, sandbox.ErrNotFound},
		{sandbox.GenerateRequest{Org: "nope", Users: 1}, sandbox.ErrNotFound},
		{sandbox.GenerateRequest{Members: 1}, sandbox.ErrInvalid},
		{sandbox.GenerateRequest{Users: 1}, sandbox.ErrInvalid},
		{sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 10, Org: "acme", Users: 5, Match: 1}, sandbox.ErrInvalid},
		{sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: -1}, sandbox.ErrInvalid},
		{sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 1, Match: 1.5}, sandbox.ErrInvalid},
	} {
		if _, err := sb.Generate(c.g); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.g, err, c.want)
		}
	}
	if resp, _ := postJSON(t, srv, "/sandbox/generate", `{"team":"T0NOPE0001","members":1}`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("control, unknown team: %d", resp.StatusCode)
	}
	if resp, _ := postJSON(t, srv, "/sandbox/generate", `{"members":1}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("control, no team: %d", resp.StatusCode)
	}
}

// TestConcurrentUse runs every surface at once, with Generate and control
// changes in between, for the race detector.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	tok := clientCredentials(t, srv, "")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
			}
		}()
	}
	for i := 0; i < 4; i++ {
		run(func() error {
			api := slackClient(srv.URL, sandbox.DemoTeamID)
			for j := 0; j < 3; j++ {
				if _, err := api.GetUsersContext(context.Background(), slack.GetUsersOptionLimit(200)); err != nil {
					return err
				}
				if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
					return err
				}
			}
			return nil
		})
		run(func() error {
			for j := 0; j < 5; j++ {
				status, err := doSilently(srv, "", tok, "/services/data/v62.0/query?q=SELECT+Id,Profile.Name+FROM+User")
				if err != nil || status != http.StatusOK {
					return fmt.Errorf("query: %d %v", status, err)
				}
			}
			return nil
		})
	}
	run(func() error {
		for j := 0; j < 3; j++ {
			if _, err := sb.Generate(sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 500, Org: "acme", Users: 500, Match: 0.5}); err != nil {
				return err
			}
			if err := sb.SetIPEnforced("locked", j%2 == 0); err != nil {
				return err
			}
			sb.Stats()
			sb.Messages("", "")
		}
		return nil
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// doSilently is do without *testing.T, for goroutines: it returns the status.
func doSilently(srv *httptest.Server, host, token, path string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		return 0, err
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
