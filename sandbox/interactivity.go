package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SigningSecret is the sandbox's Slack signing secret: it signs the
// interactivity requests it sends, and the console verifies them with it
// in sandbox mode (SLACK_SIGNING_SECRET otherwise).
const SigningSecret = "sfconnect-sandbox-signing-secret"

// interactivity is where the sandbox sends a button's click, as Slack sends
// it to a Slack app's Interactivity request URL.
type interactivity struct {
	mu  sync.Mutex
	url string
}

// SetInteractivityURL sets the request URL clicks are sent to (the
// console's /slack/interactivity).
func (s *Sandbox) SetInteractivityURL(u string) {
	s.inter.mu.Lock()
	s.inter.url = u
	s.inter.mu.Unlock()
}

// ClickRequest is a member clicking a button of a recorded message.
type ClickRequest struct {
	ActionID string `json:"action_id"`
	User     string `json:"user"`
}

// ClickResult is what the request URL answered.
type ClickResult struct {
	Status int    `json:"status"`
	Body   string `json:"body,omitempty"`
}

// Click sends the signed block_actions request of user clicking the
// button action of the message ts, to the interactivity URL, and returns
// its answer. The payload has the fields a Slack app reads: type, team,
// user, channel, container, message, actions, trigger_id.
func (s *Sandbox) Click(ctx context.Context, ts string, c ClickRequest) (ClickResult, error) {
	s.inter.mu.Lock()
	target := s.inter.url
	s.inter.mu.Unlock()
	if target == "" {
		return ClickResult{}, errors.New("no interactivity request URL: PUT /sandbox/interactivity {\"url\": …} first")
	}
	m, ok := s.msgs.byTS(ts)
	if !ok {
		return ClickResult{}, fmt.Errorf("no message %s", ts)
	}
	var blocks []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			Type     string          `json:"type"`
			ActionID string          `json:"action_id"`
			Value    string          `json:"value"`
			Text     json.RawMessage `json:"text"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(m.Blocks, &blocks)
	var action map[string]any
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == c.ActionID {
				action = map[string]any{"type": e.Type, "action_id": e.ActionID, "block_id": b.BlockID, "value": e.Value,
					"text": e.Text, "action_ts": fmt.Sprintf("%d.000000", time.Now().Unix())}
			}
		}
	}
	if action == nil {
		return ClickResult{}, fmt.Errorf("message %s has no button %q", ts, c.ActionID)
	}
	user := s.memberOf(m.Team, c.User)
	payload, _ := json.Marshal(map[string]any{
		"type":       "block_actions",
		"team":       map[string]any{"id": m.Team},
		"user":       map[string]any{"id": c.User, "team_id": m.Team, "name": user},
		"api_app_id": "A0SANDBOX1",
		"trigger_id": fmt.Sprintf("%d.sandbox", time.Now().UnixNano()),
		"container":  map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": false},
		"channel":    map[string]any{"id": m.Channel},
		"message":    map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "blocks": m.Blocks},
		"actions":    []any{action},
	})
	body := "payload=" + url.QueryEscape(string(payload))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return ClickResult{}, err
	}
	SignRequest(req.Header, []byte(body), time.Now())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ClickResult{}, fmt.Errorf("send the click to %s: %w", target, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return ClickResult{Status: resp.StatusCode, Body: out.String()}, nil
}

// SignRequest sets the headers of Slack's request signing (v0) of body at
// time at, with SigningSecret.
func SignRequest(h http.Header, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(SigningSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// memberOf is the handle of a member of team ("" when unknown).
func (s *Sandbox) memberOf(team, id string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if w := s.workspaces[team]; w != nil {
		if u := w.userByID(id); u != nil {
			return u.Name
		}
	}
	return ""
}

// byTS finds a recorded message.
func (l *messageLog) byTS(ts string) (Message, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if m.TS == ts {
			return m, true
		}
	}
	return Message{}, false
}

// update replaces the text and blocks of a recorded message (chat.update).
func (l *messageLog) update(team, channel, ts, text string, blocks json.RawMessage) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.msgs {
		m := &l.msgs[i]
		if m.TS == ts && m.Channel == channel && m.Team == team {
			m.Text, m.Blocks, m.Updates = text, blocks, m.Updates+1
			return true
		}
	}
	return false
}

func (s *Sandbox) slackUpdateMessage(w *workspace, p url.Values) (any, string) {
	channel, ts := strings.TrimSpace(p.Get("channel")), p.Get("ts")
	var blocks json.RawMessage
	if b := p.Get("blocks"); b != "" {
		if !json.Valid([]byte(b)) {
			return nil, "invalid_blocks"
		}
		blocks = json.RawMessage(b)
	}
	text := p.Get("text")
	if text == "" && blocks == nil {
		return nil, "no_text"
	}
	if !s.msgs.update(w.id, channel, ts, text, blocks) {
		return nil, "message_not_found"
	}
	return map[string]any{"ok": true, "channel": channel, "ts": ts, "text": text}, ""
}

func (s *Sandbox) controlInteractivity(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	s.SetInteractivityURL(in.URL)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": in.URL})
}

func (s *Sandbox) controlClick(w http.ResponseWriter, r *http.Request, ts string) {
	var c ClickRequest
	if !decodeBody(w, r, &c) {
		return
	}
	res, err := s.Click(r.Context(), ts, c)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// slackOpenConversation opens the bot's DM with one member: the sandbox
// records DMs under the member's id, which serves as the DM's channel id.
func (s *Sandbox) slackOpenConversation(w *workspace, p url.Values) (any, string) {
	users := strings.Split(p.Get("users"), ",")
	if len(users) != 1 || users[0] == "" {
		return nil, "users_list_not_supplied"
	}
	s.mu.RLock()
	u := w.userByID(users[0])
	s.mu.RUnlock()
	if u == nil {
		return nil, "user_not_found"
	}
	return map[string]any{"ok": true, "channel": map[string]any{"id": u.ID, "is_im": true, "user": u.ID}}, ""
}

// slackHistory returns a conversation's recorded messages, newest first,
// up to limit (100 by default), with their metadata when
// include_all_metadata is set.
func (s *Sandbox) slackHistory(w *workspace, p url.Values) (any, string) {
	channel := p.Get("channel")
	if channel == "" {
		return nil, "channel_not_found"
	}
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	withMeta := p.Get("include_all_metadata") == "1" || p.Get("include_all_metadata") == "true"
	msgs := s.Messages(w.id, channel)
	out := []map[string]any{}
	for i := len(msgs) - 1; i >= 0 && len(out) < limit; i-- {
		m := msgs[i]
		j := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "user": w.bot.ID, "bot_id": "B" + w.bot.ID[1:]}
		if withMeta && m.Metadata != nil {
			j["metadata"] = m.Metadata
		}
		out = append(out, j)
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}, ""
}
