// Package console is sfconnect's front door: the web pages where the people
// of Slack's help article sign in and act as themselves. Slack owners and
// admins manage their workspace's Salesforce orgs ("Manage Salesforce
// organizations"), Salesforce system administrators approve and clear
// ("Manage Slack connections"), and members complete their mapping by
// signing in to Salesforce.
//
// Handlers stay thin: they read the form, send the step to the workflow
// through sfclient (the very calls of the CLI), with a short-lived signed
// assertion of who signed in, and render the outcome. A page never decides
// a role; the workflow does, from the directories.
package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/sfclient"
)

// DefaultAddr is where `make run` serves the console: the host and port of
// config.DefaultConsoleURL.
var DefaultAddr = strings.TrimPrefix(config.DefaultConsoleURL, "http://")

// Callback paths, registered as the redirect URIs of the Slack app and of
// the Salesforce connected app.
const (
	SlackCallbackPath      = "/auth/slack/callback"
	SalesforceCallbackPath = config.ConsoleSalesforceCallback
)

// DefaultMaxUpload bounds a CSV upload: a million rows of ids and emails
// is about 60 MB.
const DefaultMaxUpload = 256 << 20

// SlackApp is the console's Slack app, for Sign in with Slack (OpenID
// Connect).
type SlackApp struct {
	// Issuer is Slack's issuer (https://slack.com), or the sandbox's
	// address; its discovery document names every endpoint.
	Issuer       string
	ClientID     string
	ClientSecret string
}

// SalesforceApp is the console's connected app, for the OAuth 2.0 web
// server flow of each org.
type SalesforceApp struct {
	ClientID     string
	ClientSecret string
}

// Options configure a Server.
type Options struct {
	// BaseURL is the console's public address: the redirect URIs are
	// built from it, and cookies are Secure unless it is plain HTTP on
	// loopback.
	BaseURL    string
	Client     *sfclient.Client
	Signer     *identity.Signer
	Slack      SlackApp
	Salesforce SalesforceApp
	// HTTPClient reaches Slack and Salesforce (in sandbox mode: the
	// sandbox, whatever host a request names).
	HTTPClient *http.Client
	// SalesforceBrowserURL rewrites the address of an org's sign-in page
	// for the browser: in sandbox mode a My Domain is reached at
	// <host>.localhost on the sandbox's port (sandbox.BrowserURL). Nil
	// leaves addresses as they are.
	SalesforceBrowserURL func(string) (string, error)
	// FormTargets are the origins a form may lead to after a redirect
	// (the providers' sign-in pages), for the Content-Security-Policy.
	FormTargets []string
	// Sandbox shows the demo identities on the home page.
	Sandbox   bool
	MaxUpload int64
	// UploadDir holds uploads while they are checked and stored.
	UploadDir string
	// SigningSecret verifies Slack's interactivity requests (the Slack
	// app's signing secret, SLACK_SIGNING_SECRET; the sandbox's in sandbox
	// mode). Empty: InteractivityPath answers 503.
	SigningSecret string
	// Messages updates the messages whose buttons were clicked (nil: not
	// updated).
	Messages MessageUpdater
	Log      *zap.Logger
	Now      func() time.Time
}

// Server serves the console.
type Server struct {
	opts    Options
	base    *url.URL
	cookies cookieJar
	pages   *pages
	log     *zap.Logger
	now     func() time.Time
	handler http.Handler

	mu        sync.Mutex
	providers map[string]*provider // OpenID providers by issuer, found once

	// seen are the interactivity requests' signatures within the window.
	seen seenSignatures
	// background counts the clicks' work still running (Wait, for tests).
	background sync.WaitGroup
}

// Wait waits for the work of the interactivity requests answered so far.
func (s *Server) Wait() { s.background.Wait() }

// New builds a Server; secret keys the console's cookies (derived, never
// used as is).
func New(opts Options, secret []byte) (*Server, error) {
	base, err := url.Parse(strings.TrimSuffix(opts.BaseURL, "/"))
	if err != nil || !base.IsAbs() {
		return nil, fmt.Errorf("console base URL %q: must be absolute, like http://127.0.0.1:8088", opts.BaseURL)
	}
	if opts.Client == nil || opts.Signer == nil {
		return nil, errors.New("console: a client and a signer are required")
	}
	sealer, err := newSealer(secret)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.SalesforceBrowserURL == nil {
		opts.SalesforceBrowserURL = func(u string) (string, error) { return u, nil }
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, base: base, pages: p, log: opts.Log, now: opts.Now,
		cookies:   cookieJar{secure: !plainLoopback(base), sealer: sealer, now: opts.Now},
		providers: map[string]*provider{},
	}
	s.handler = secure(s.routes(), opts.FormTargets)
	return s, nil
}

// Handler is the console's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// plainLoopback reports a console served over plain HTTP on loopback, the
// only place its cookies may go without Secure.
func plainLoopback(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	return h == "127.0.0.1" || h == "localhost" || h == "::1"
}

// url is an absolute address of this console.
func (s *Server) url(path string) string { return s.base.String() + path }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST /signout", s.signOut)

	mux.HandleFunc("GET /auth/slack/login", s.slackLogin)
	mux.HandleFunc("GET "+SlackCallbackPath, s.slackCallback)
	mux.HandleFunc("GET /auth/salesforce/login", s.salesforceLogin)
	mux.HandleFunc("GET "+SalesforceCallbackPath, s.salesforceCallback)

	// The Slack side: Manage Salesforce organizations.
	mux.HandleFunc("POST "+InteractivityPath, s.interactivity)
	mux.HandleFunc("GET /slack/orgs", s.slackOnly(s.orgsPage))
	mux.HandleFunc("POST /slack/orgs", s.slackOnly(s.connectOrg))
	mux.HandleFunc("GET /slack/orgs/{org}", s.slackOnly(s.orgPage))
	mux.HandleFunc("POST /slack/orgs/{org}/activate", s.slackOnly(s.activate))
	mux.HandleFunc("POST /slack/orgs/{org}/members", s.slackOnly(s.addMember))
	mux.HandleFunc("POST /slack/orgs/{org}/automap", s.slackOnly(s.autoMap))
	mux.HandleFunc("POST /slack/orgs/{org}/import", s.slackOnly(s.importCSV))
	mux.HandleFunc("GET /slack/orgs/{org}/export.csv", s.slackOnly(s.export))
	mux.HandleFunc("POST /slack/orgs/{org}/banner", s.slackOnly(s.banner))
	mux.HandleFunc("POST /slack/orgs/{org}/update", s.slackOnly(s.update))
	mux.HandleFunc("POST /slack/orgs/{org}/objects", s.slackOnly(s.addObjects))
	mux.HandleFunc("GET /slack/orgs/{org}/disconnect", s.slackOnly(s.disconnectReview))
	mux.HandleFunc("POST /slack/orgs/{org}/disconnect", s.slackOnly(s.disconnect))
	mux.HandleFunc("GET /slack/jobs/{job}", s.slackOnly(s.jobPage))
	mux.HandleFunc("GET /slack/jobs/{job}/progress", s.slackOnly(s.jobProgress))
	mux.HandleFunc("POST /slack/jobs/{job}/approve", s.slackOnly(s.jobApprove))
	mux.HandleFunc("POST /slack/jobs/{job}/cancel", s.slackOnly(s.jobCancel))
	mux.HandleFunc("GET /slack/jobs/{job}/results.csv", s.slackOnly(s.jobResults))

	// The Salesforce side: Manage Slack connections.
	mux.HandleFunc("GET /salesforce/{org}", s.salesforceOnly(s.connectionsPage))
	mux.HandleFunc("POST /salesforce/{org}/approve", s.salesforceOnly(s.approve))
	mux.HandleFunc("POST /salesforce/{org}/reject", s.salesforceOnly(s.reject))
	mux.HandleFunc("POST /salesforce/{org}/clear", s.salesforceOnly(s.clearMember))

	// Members: the link of an invitation.
	mux.HandleFunc("GET /link/{team}/{org}", s.memberPage)
	mux.HandleFunc("POST /link/{team}/{org}", s.memberStart)

	// `starter login`: a sign-in that ends at the CLI's loopback address.
	mux.HandleFunc("GET /cli/login", s.cliLogin)
	mux.HandleFunc("POST /cli/token", s.cliToken)
	return mux
}
