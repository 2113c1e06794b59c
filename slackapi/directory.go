package slackapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// DefaultTimeout bounds one HTTP request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config says where Slack is and how to authenticate to each workspace.
type Config struct {
	// APIURL is the Web API's base URL, e.g. "http://127.0.0.1:7070/api/";
	// empty means Slack's own (slack.APIURL). A missing trailing slash is
	// added, because slack-go appends method names to it verbatim.
	APIURL string
	// TokenFor returns the bot token of a workspace. It is asked once per
	// workspace, and again after Slack refused the token (invalid_auth and
	// its kin), so that a reinstalled app's new token is picked up.
	TokenFor func(teamID string) (string, error)
	// Timeout bounds each HTTP request; zero means DefaultTimeout.
	Timeout time.Duration
	// AdminToken is an org admin's user token, for what no bot token may
	// do: creating workspaces (admin.teams.create) and members (SCIM,
	// admin.users.assign). SetPrimaryOwner and MigrateWorkspace use it too
	// when it is set, and the workspace's bot token otherwise. Optional;
	// the sandbox's is "xoxp-sandbox-admin".
	AdminToken string
	// SCIMURL is the base URL of Slack's SCIM API, e.g.
	// "http://127.0.0.1:7070/scim/v2/"; empty means Slack's own
	// (DefaultSCIMURL) when APIURL is empty, else APIURL's "api/" replaced
	// by "scim/v2/", which is where the sandbox serves it.
	SCIMURL string
}

// Directory answers the product's questions about Slack workspaces. It is
// safe for concurrent use; one Directory serves every workspace.
type Directory struct {
	endpoint string
	tokenFor func(teamID string) (string, error)
	http     *http.Client
	log      *zap.Logger

	// admin is the client of Config.AdminToken, nil without one; scimURL
	// is where SCIM is served, with its trailing slash.
	admin   *teamClient
	scimURL string

	mu      sync.Mutex
	clients map[string]*teamClient
}

// teamClient is the slack-go client of one workspace, with the token it was
// built with (team.info is decoded by hand and needs the token too).
type teamClient struct {
	api   *slack.Client
	token string
}

// New returns a Directory for cfg. A nil log discards log lines.
func New(cfg Config, log *zap.Logger) *Directory {
	if log == nil {
		log = zap.NewNop()
	}
	endpoint := cfg.APIURL
	if endpoint == "" {
		endpoint = slack.APIURL
	}
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tokenFor := cfg.TokenFor
	if tokenFor == nil {
		tokenFor = func(string) (string, error) { return "", errors.New("no Config.TokenFor") }
	}
	d := &Directory{
		endpoint: endpoint,
		tokenFor: tokenFor,
		// One http.Client for every workspace: the token travels in each
		// request, so the workspaces can share its connection pool.
		http:    &http.Client{Timeout: timeout},
		log:     log,
		clients: make(map[string]*teamClient),
		scimURL: scimURLFor(cfg, endpoint),
	}
	if cfg.AdminToken != "" {
		d.admin = &teamClient{
			api:   slack.New(cfg.AdminToken, slack.OptionAPIURL(endpoint), slack.OptionHTTPClient(d.http)),
			token: cfg.AdminToken,
		}
	}
	return d
}

// client returns the cached client of teamID, building it on first use.
func (d *Directory) client(teamID string) (*teamClient, error) {
	if teamID == "" {
		return nil, errors.New("no team id")
	}
	d.mu.Lock()
	tc, ok := d.clients[teamID]
	d.mu.Unlock()
	if ok {
		return tc, nil
	}

	// TokenFor may be slow (a secret store); it runs outside the lock so one
	// workspace's lookup does not hold up the others.
	token, err := d.tokenFor(teamID)
	if err != nil {
		return nil, fmt.Errorf("bot token: %w", err)
	}
	if token == "" {
		return nil, errors.New("bot token: empty")
	}
	tc = &teamClient{
		api:   slack.New(token, slack.OptionAPIURL(d.endpoint), slack.OptionHTTPClient(d.http)),
		token: token,
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	// Two first calls may race; the first client stored wins so that every
	// caller shares one.
	if cached, ok := d.clients[teamID]; ok {
		return cached, nil
	}
	d.clients[teamID] = tc
	return tc, nil
}

// forget drops teamID's client if it is still tc, so that the next call asks
// TokenFor again. Comparing with tc keeps a fresh client that another call
// built meanwhile.
func (d *Directory) forget(teamID string, tc *teamClient) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clients[teamID] == tc {
		delete(d.clients, teamID)
		d.log.Info("slack refused the bot token; it will be asked for again", zap.String("team", teamID))
	}
}
