package slackapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/slackapi"
)

// adminFake is a Slack whose every answer a test writes, recording what it
// was sent: the admin calls' wire details, without the sandbox's rules.
type adminFake struct {
	srv *httptest.Server

	mu   sync.Mutex
	seen []adminSeen
	// answer maps "METHOD /path" to its answer.
	answer map[string]func(w http.ResponseWriter, r *http.Request, body []byte)
}

type adminSeen struct {
	method, path, rawQuery, auth string
	form                         url.Values
	body                         []byte
}

func newAdminFake(t *testing.T) *adminFake {
	f := &adminFake{answer: map[string]func(http.ResponseWriter, *http.Request, []byte){}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.seen = append(f.seen, adminSeen{method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, auth: r.Header.Get("Authorization"), form: form, body: body})
		h := f.answer[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		h(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *adminFake) on(key string, h func(w http.ResponseWriter, r *http.Request, body []byte)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer[key] = h
}

func (f *adminFake) requests() []adminSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]adminSeen(nil), f.seen...)
}

func (f *adminFake) directory(t *testing.T, cfg slackapi.Config) *slackapi.Directory {
	if cfg.APIURL == "" {
		cfg.APIURL = f.srv.URL + "/api/"
	}
	cfg.TokenFor = func(team string) (string, error) { return "xoxb-bot-" + team, nil }
	cfg.Timeout = 2 * time.Second
	return slackapi.New(cfg, nil)
}

func jsonAnswer(status int, v any) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

var newMember = map[string]any{"ok": true, "user": map[string]any{
	"id": "U9NEW", "team_id": "T9NEW", "name": "jean-luc.picard.x", "real_name": "Jean-Luc Picard",
	"profile": map[string]any{"email": "Jean-Luc.Picard+x@Ex.com", "real_name": "Jean-Luc Picard", "fields": []any{}},
}}

func TestCreateMemberWire(t *testing.T) {
	f := newAdminFake(t)
	// Slack's SCIM 1.1 error shape: the email has a user already.
	f.on("POST /custom/scim/v2/Users", jsonAnswer(409, map[string]any{"Errors": map[string]any{"description": "email_taken", "code": 409}}))
	f.on("GET /custom/scim/v2/Users", jsonAnswer(200, map[string]any{"totalResults": 1, "Resources": []any{
		map[string]any{"id": "U9NEW", "userName": "jlp", "emails": []any{map[string]any{"value": "jean-luc.picard+x@ex.com"}}},
	}}))
	f.on("POST /custom/api/admin.users.assign", jsonAnswer(200, map[string]any{"ok": false, "error": "user_already_team_member"}))
	f.on("POST /custom/api/users.info", jsonAnswer(200, newMember))

	d := f.directory(t, slackapi.Config{APIURL: f.srv.URL + "/custom/api", AdminToken: "xoxp-admin"})
	m, err := d.CreateMember(context.Background(), "T9NEW", "Jean-Luc.Picard+x@Ex.com", "Jean-Luc Picard")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "U9NEW" || m.RealName != "Jean-Luc Picard" {
		t.Errorf("member %+v", m)
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests: %+v", len(reqs), reqs)
	}
	var created struct {
		UserName string `json:"userName"`
		Name     struct{ GivenName, FamilyName, Formatted string }
		Emails   []struct {
			Value   string
			Primary bool
		}
	}
	if err := json.Unmarshal(reqs[0].body, &created); err != nil {
		t.Fatal(err)
	}
	if created.UserName != "jean-luc.picard.x" || created.Name.GivenName != "Jean-Luc" || created.Name.FamilyName != "Picard" ||
		len(created.Emails) != 1 || created.Emails[0].Value != "Jean-Luc.Picard+x@Ex.com" || !created.Emails[0].Primary {
		t.Errorf("SCIM user sent: %s", reqs[0].body)
	}
	if q, _ := url.ParseQuery(reqs[1].rawQuery); q.Get("filter") != `email eq "Jean-Luc.Picard+x@Ex.com"` {
		t.Errorf("filter %q", q.Get("filter"))
	}
	if reqs[2].form.Get("team_id") != "T9NEW" || reqs[2].form.Get("user_id") != "U9NEW" {
		t.Errorf("assign form %v", reqs[2].form)
	}
	for i, want := range []string{"xoxp-admin", "xoxp-admin", "xoxp-admin", "xoxb-bot-T9NEW"} {
		// slack-go sends the token as a form field, slackapi's own calls
		// in the header.
		if got := strings.TrimPrefix(reqs[i].auth, "Bearer ") + reqs[i].form.Get("token"); got != want {
			t.Errorf("request %d (%s) sent the token %q, want %q", i, reqs[i].path, got, want)
		}
	}
}

func TestSCIMURL(t *testing.T) {
	f := newAdminFake(t)
	f.on("POST /elsewhere/scim/Users", jsonAnswer(201, map[string]any{"id": "U9X"}))
	f.on("POST /api/admin.users.assign", jsonAnswer(200, map[string]any{"ok": true}))
	f.on("POST /api/users.info", jsonAnswer(200, newMember))
	d := f.directory(t, slackapi.Config{AdminToken: "xoxp-admin", SCIMURL: f.srv.URL + "/elsewhere/scim"})
	if _, err := d.CreateMember(context.Background(), "T9NEW", "x@example.org", ""); err != nil {
		t.Fatal(err)
	}
	if p := f.requests()[0].path; p != "/elsewhere/scim/Users" {
		t.Errorf("SCIM at %s", p)
	}
}

func TestSCIMRefusals(t *testing.T) {
	ctx := context.Background()
	f := newAdminFake(t)
	d := f.directory(t, slackapi.Config{AdminToken: "xoxp-admin"})

	f.on("POST /scim/v2/Users", jsonAnswer(400, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": "400", "detail": "invalid_email: nope"}))
	_, err := d.CreateMember(ctx, "T9NEW", "x@example.org", "X")
	e, ok := errors.AsType[*slackapi.SCIMError](err)
	if !ok || e.StatusCode != 400 || e.Detail != "invalid_email: nope" || slackapi.Retryable(err) {
		t.Errorf("400: %v", err)
	}
	if want := "slack SCIM Users x@example.org in T9NEW: SCIM HTTP 400: invalid_email: nope"; err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}

	f.on("POST /scim/v2/Users", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Retry-After", "4")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, err = d.CreateMember(ctx, "T9NEW", "x@example.org", "X")
	if wait, ok := slackapi.RetryAfter(err); !ok || wait != 4*time.Second || !slackapi.Retryable(err) {
		t.Errorf("429: %v", err)
	}

	// A conflict that is not the email's and not the handle's is returned.
	f.on("POST /scim/v2/Users", jsonAnswer(409, map[string]any{"detail": "external_id_taken"}))
	f.on("GET /scim/v2/Users", jsonAnswer(200, map[string]any{"Resources": []any{}}))
	_, err = d.CreateMember(ctx, "T9NEW", "x@example.org", "X")
	if e, ok := errors.AsType[*slackapi.SCIMError](err); !ok || e.StatusCode != 409 || slackapi.Retryable(err) {
		t.Errorf("409: %v", err)
	}

	f.on("POST /scim/v2/Users", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		http.Error(w, "<html>down</html>", http.StatusBadGateway)
	})
	_, err = d.CreateMember(ctx, "T9NEW", "x@example.org", "X")
	if e, ok := errors.AsType[*slackapi.SCIMError](err); !ok || e.StatusCode != 502 || !strings.Contains(e.Detail, "down") || !slackapi.Retryable(err) {
		t.Errorf("502: %v", err)
	}
}

func TestCreateWorkspaceWire(t *testing.T) {
	f := newAdminFake(t)
	f.on("POST /api/admin.teams.create", jsonAnswer(200, map[string]any{"ok": true, "team": "T9NEW"}))
	d := f.directory(t, slackapi.Config{AdminToken: "xoxp-admin"})
	id, err := d.CreateWorkspace(context.Background(), "Acme Sales", "acme-sales")
	if err != nil || id != "T9NEW" {
		t.Fatalf("CreateWorkspace = %q, %v", id, err)
	}
	r := f.requests()[0]
	if r.auth != "Bearer xoxp-admin" || r.form.Get("team_name") != "Acme Sales" || r.form.Get("team_domain") != "acme-sales" {
		t.Errorf("sent %+v", r)
	}

	// ok without a team id is no success.
	f.on("POST /api/admin.teams.create", jsonAnswer(200, map[string]any{"ok": true}))
	if id, err := d.CreateWorkspace(context.Background(), "Acme Sales", "acme-sales"); err == nil {
		t.Errorf("CreateWorkspace = %q without a team id", id)
	}
	f.on("POST /api/admin.teams.create", jsonAnswer(200, map[string]any{"ok": false}))
	if _, err := d.CreateWorkspace(context.Background(), "Acme Sales", "acme-sales"); err == nil {
		t.Error("ok: false without a code passed")
	}
}
