package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The control API, /sandbox/…: JSON in and out, never faulted. It is the
// HTTP face of the in-process methods (SetFaults, RenameOrg, Generate…) for
// scripts and for tests that run the sandbox as a separate process.

// messageLog records chat.postMessage calls.
type messageLog struct {
	mu   sync.Mutex
	msgs []Message
}

func (l *messageLog) add(m Message) {
	l.mu.Lock()
	l.msgs = append(l.msgs, m)
	l.mu.Unlock()
}

// Messages returns the chat.postMessage calls seen, oldest first, for team
// and channel ("" matches any).
func (s *Sandbox) Messages(team, channel string) []Message {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	out := []Message{}
	for _, m := range s.msgs.msgs {
		if (team == "" || m.Team == team) && (channel == "" || m.Channel == channel) {
			out = append(out, m)
		}
	}
	return out
}

// faultsJSON is the wire form of Faults, in the control API's units.
type faultsJSON struct {
	ErrorRate         float64 `json:"error_rate"`
	Statuses          []int   `json:"statuses"`
	RetryAfterSeconds float64 `json:"retry_after_seconds"`
	LatencyMS         float64 `json:"latency_ms"`
	Seed              int64   `json:"seed"`
	Surface           string  `json:"surface,omitempty"`
	Active            bool    `json:"active"`
}

func (s *Sandbox) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/sandbox"), "/")
	switch {
	case path == "/health" && isRead(r):
		s.mu.RLock()
		n, o := len(s.workspaces), len(s.orgs)
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "workspaces": n, "orgs": o})
	case path == "/stats" && isRead(r):
		writeJSON(w, http.StatusOK, s.Stats())
	case path == "/messages" && isRead(r):
		q := r.URL.Query()
		writeJSON(w, http.StatusOK, map[string]any{"messages": s.Messages(q.Get("team"), q.Get("channel"))})
	case path == "/messages" && r.Method == http.MethodDelete:
		s.msgs.mu.Lock()
		s.msgs.msgs = nil
		s.msgs.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	case path == "/interactivity" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		s.controlInteractivity(w, r)
	case strings.HasPrefix(path, "/messages/") && strings.HasSuffix(path, "/click") && r.Method == http.MethodPost:
		s.controlClick(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/messages/"), "/click"))
	case path == "/faults":
		s.controlFaults(w, r)
	case path == "/orgs" && isRead(r):
		writeJSON(w, http.StatusOK, map[string]any{"orgs": s.orgInfos()})
	case strings.HasPrefix(path, "/orgs/") && r.Method == http.MethodPost:
		s.controlOrg(w, r, strings.TrimPrefix(path, "/orgs/"))
	case path == "/generate" && r.Method == http.MethodPost:
		var g GenerateRequest
		if !decodeBody(w, r, &g) {
			return
		}
		res, err := s.Generate(g)
		if err != nil {
			controlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "no such control endpoint: " + r.Method + " " + r.URL.Path})
	}
}

func isRead(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

func (s *Sandbox) controlFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		f, active := s.faults.current()
		writeJSON(w, http.StatusOK, faultsJSON{
			ErrorRate: f.ErrorRate, Statuses: f.Statuses, RetryAfterSeconds: f.RetryAfter.Seconds(),
			LatencyMS: float64(f.Latency) / float64(time.Millisecond), Seed: f.Seed, Surface: f.Surface, Active: active,
		})
	case http.MethodPost, http.MethodPut:
		var fj faultsJSON
		if !decodeBody(w, r, &fj) {
			return
		}
		if fj.ErrorRate < 0 || fj.ErrorRate > 1 || fj.RetryAfterSeconds < 0 || fj.LatencyMS < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "error_rate must be 0..1, retry_after_seconds and latency_ms not negative"})
			return
		}
		for _, st := range fj.Statuses {
			if st < 400 || st > 599 {
				writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "statuses must be HTTP error statuses (400..599)"})
				return
			}
		}
		if fj.Surface != "" && fj.Surface != "slack" && fj.Surface != "salesforce" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": `surface must be "slack", "salesforce" or empty`})
			return
		}
		s.SetFaults(Faults{
			ErrorRate: fj.ErrorRate, Statuses: fj.Statuses, Seed: fj.Seed, Surface: fj.Surface,
			RetryAfter: time.Duration(fj.RetryAfterSeconds * float64(time.Second)),
			Latency:    time.Duration(fj.LatencyMS * float64(time.Millisecond)),
		})
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	case http.MethodDelete:
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"ok": false, "error": "use GET, POST or DELETE"})
	}
}

// controlOrg serves POST /sandbox/orgs/<name>/rename and …/ip-enforce.
func (s *Sandbox) controlOrg(w http.ResponseWriter, r *http.Request, rest string) {
	name, action, _ := strings.Cut(rest, "/")
	target := name // how to find the org afterwards
	switch action {
	case "rename":
		var body struct {
			NewName string `json:"new_name"`
		}
		if !decodeBody(w, r, &body) {
			return
		}
		if err := s.RenameOrg(name, body.NewName); err != nil {
			controlError(w, err)
			return
		}
		target = body.NewName
	case "ip-enforce":
		var body struct {
			On *bool `json:"on"`
		}
		if !decodeBody(w, r, &body) {
			return
		}
		if body.On == nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": `"on" (true or false) is required`})
			return
		}
		if err := s.SetIPEnforced(name, *body.On); err != nil {
			controlError(w, err)
			return
		}
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "no such org action: " + action})
		return
	}
	s.mu.RLock()
	var id string
	if o := s.orgByName(target); o != nil {
		id = o.id
	}
	s.mu.RUnlock()
	for _, info := range s.orgInfos() {
		if info.ID == id {
			writeJSON(w, http.StatusOK, map[string]any{"ok": true, "org": info})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

func controlError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, ErrInvalid):
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]any{"ok": false, "error": err.Error()})
}
