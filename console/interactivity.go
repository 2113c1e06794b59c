package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// InteractivityPath is the Slack app's Interactivity request URL, under
// the console's public address: Slack posts every button click there.
const InteractivityPath = "/slack/interactivity"

// Slack's request signing: a request older than this is refused (its
// signature could be a captured one), and a signature is remembered this
// long to refuse its replay.
const requestWindow = 5 * time.Minute

// maxSeenSignatures bounds the replay guard's memory: past it, the oldest
// are forgotten first (they expire within requestWindow anyway). One
// console process keeps its own set: behind several replicas a replay to
// another one passes this guard (the step's own checks still hold).
const maxSeenSignatures = 10000

// interactionTimeout bounds the work a click starts, after its answer.
const interactionTimeout = 2 * time.Minute

// MessageUpdater changes a posted message (chat.update): the console shows
// a button's outcome in the message that carried it.
type MessageUpdater interface {
	UpdateBlocks(ctx context.Context, teamID, channel, ts, text string, blocks ...slack.Block) error
}

// seenSignatures is the replay guard: signatures seen within the window.
type seenSignatures struct {
	mu    sync.Mutex
	at    map[string]time.Time
	order []string
}

// first records sig at now and reports whether it is new.
func (s *seenSignatures) first(sig string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at == nil {
		s.at = map[string]time.Time{}
	}
	for len(s.order) > 0 && (len(s.order) >= maxSeenSignatures || now.Sub(s.at[s.order[0]]) > requestWindow) {
		delete(s.at, s.order[0])
		s.order = s.order[1:]
	}
	if _, ok := s.at[sig]; ok {
		return false
	}
	s.at[sig] = now
	s.order = append(s.order, sig)
	return true
}

// interactivity answers Slack's interactivity requests: it verifies the
// signature (v0, through slack-go's SecretsVerifier), refuses a stale
// timestamp and a replayed signature, acknowledges at once (Slack wants an
// answer within 3 seconds) and does the work after, in the background.
func (s *Server) interactivity(w http.ResponseWriter, r *http.Request) {
	if s.opts.SigningSecret == "" {
		http.Error(w, "interactivity is off: SLACK_SIGNING_SECRET is not set", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable request", http.StatusBadRequest)
		return
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil || s.now().Sub(time.Unix(ts, 0)).Abs() > requestWindow {
		http.Error(w, "stale or missing request timestamp", http.StatusUnauthorized)
		return
	}
	sv, err := slack.NewSecretsVerifier(r.Header, s.opts.SigningSecret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, "bad request signature", http.StatusUnauthorized)
		return
	}
	if !s.seen.first(r.Header.Get("X-Slack-Signature"), s.now()) {
		http.Error(w, "replayed request", http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "no interaction payload", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	// The request's context ends with its answer: the work has its own.
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ctx, cancel := context.WithTimeout(context.Background(), interactionTimeout)
		defer cancel()
		s.interact(ctx, cb)
	}()
}

// interact does what a click asks and shows the outcome in its message.
func (s *Server) interact(ctx context.Context, cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		switch a.ActionID {
		case workflows.ButtonActivate:
			s.updateMessage(ctx, cb, s.clickActivate(ctx, cb, a.Value))
		case workflows.ButtonApproveJob:
			s.updateMessage(ctx, cb, s.clickApproveJob(ctx, cb, a.Value))
		case activities.ButtonOpenConsole:
			// Slack opened the link; the click needs only its answer.
		}
	}
}

// clickActivate takes Step 3 for the member who clicked: the signed
// payload proves who they are in their workspace, so the console asserts
// it for this step; the workflow then checks their role.
func (s *Server) clickActivate(ctx context.Context, cb slack.InteractionCallback, value string) string {
	team, orgID, ok := workflows.ParseButtonValue(value)
	if !ok {
		return "This button names no connection."
	}
	if team != cb.Team.ID || cb.User.ID == "" {
		s.log.Warn("interactivity: a click from another workspace than its connection's", zap.String("team", cb.Team.ID), zap.String("connection_team", team), zap.String("member", cb.User.ID))
		return fmt.Sprintf("Refused: this button belongs to a connection of another workspace (%s).", team)
	}
	u := &SlackUser{Team: cb.Team.ID, User: cb.User.ID}
	caller, err := s.slackCaller(u, workflows.ConnectionWorkflowID(team, orgID), workflows.UpdateActivate)
	if err != nil {
		s.log.Error("interactivity: assertion not signed", zap.String("member", u.User), zap.String("error", err.Error()))
		return "The activation could not be sent: try again from the console."
	}
	var c workflows.Connection
	err = s.opts.Client.ConnectionUpdate(ctx, team, orgID, workflows.UpdateActivate, workflows.ActivateRequest{Caller: caller}, &c)
	if err != nil {
		s.log.Info("interactivity: activation refused", zap.String("member", u.User), zap.String("error", err.Error()))
		return fmt.Sprintf("<@%s> could not activate the connection: %s", u.User, sfclient.Describe(err))
	}
	return fmt.Sprintf("Activated by <@%s>: the connection to Salesforce org %s is active.", u.User, c.OrgName)
}

// clickApproveJob approves a CSV job's preview for the member who clicked,
// proven as for Activate; the job must be of the payload's workspace.
func (s *Server) clickApproveJob(ctx context.Context, cb slack.InteractionCallback, jobID string) string {
	st, err := s.opts.Client.Job(ctx, jobID)
	if err != nil {
		return "This job cannot be found: " + sfclient.Describe(err)
	}
	if st.Workspace != cb.Team.ID || cb.User.ID == "" {
		s.log.Warn("interactivity: a job's click from another workspace", zap.String("team", cb.Team.ID), zap.String("job", jobID), zap.String("member", cb.User.ID))
		return fmt.Sprintf("Refused: job %s belongs to another workspace.", jobID)
	}
	u := &SlackUser{Team: cb.Team.ID, User: cb.User.ID}
	caller, err := s.slackCaller(u, workflows.JobWorkflowID(jobID), workflows.UpdateJobApprove)
	if err != nil {
		s.log.Error("interactivity: assertion not signed", zap.String("member", u.User), zap.String("error", err.Error()))
		return "The approval could not be sent: try again from the console."
	}
	if err := s.opts.Client.Update(ctx, workflows.JobWorkflowID(jobID), workflows.UpdateJobApprove, workflows.JobDecision{Caller: caller}, &st); err != nil {
		s.log.Info("interactivity: job approval refused", zap.String("member", u.User), zap.String("job", jobID), zap.String("error", err.Error()))
		return fmt.Sprintf("<@%s> could not approve CSV job %s: %s", u.User, jobID, sfclient.Describe(err))
	}
	return fmt.Sprintf("Approved by <@%s>: CSV job %s is applying its preview.", u.User, jobID)
}

// updateMessage replaces the clicked message with the outcome and a link
// to the connection's page (chat.update).
func (s *Server) updateMessage(ctx context.Context, cb slack.InteractionCallback, outcome string) {
	if s.opts.Messages == nil {
		return
	}
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	block := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, outcome, false, false), nil, nil)
	if err := s.opts.Messages.UpdateBlocks(ctx, cb.Team.ID, channel, ts, outcome, block); err != nil {
		s.log.Warn("interactivity: message not updated", zap.String("channel", channel), zap.String("error", err.Error()))
	}
}
