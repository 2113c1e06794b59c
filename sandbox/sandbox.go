// Package sandbox is an in-memory emulator of the Slack Web API subset and
// the Salesforce REST API subset that sfconnect uses, plus a small control
// API, all served by one http.Handler.
//
// It speaks the real wire formats, so that an unmodified slack-go client and
// an unmodified OAuth 2.0 / OpenID Connect / REST client work against it.
// Three surfaces share one listener and are told apart by the path (and, for
// OpenID Connect discovery, the host):
//
//   - /api/<method>: the Slack Web API; the bot token xoxb-sandbox-<TEAMID>
//     selects the workspace (the admin methods also take AdminToken).
//     /scim/v2/Users, Slack's SCIM API, belongs to this surface, and so does
//     Sign in with Slack (/.well-known/openid-configuration and
//     /openid/connect/... on any host that is no org's My Domain, with
//     /api/openid.connect.token and /api/openid.connect.userInfo).
//   - /sandbox/...: the control API (health, recorded messages, faults, org
//     rename and IP enforcement, data generation, stats). Never faulted.
//   - anything else: the Salesforce REST API and OAuth 2.0 web server flow.
//     The request's Host header names the org's My Domain, as a real My
//     Domain would (a browser adds ".localhost": acme.my.salesforce.com.localhost);
//     the bare sandbox address (an IP or localhost) reaches the org "acme".
//
// Both sign-ins are real HTML pages (html/template, no script) for the demo
// identities, whose password is DemoPassword.
//
// The fixed demo data (SPEC section 10) and every wire detail are documented
// in README.md beside this file. Everything is kept in memory and is safe for
// concurrent use; Generate adds up to millions of members and users that are
// served with indexes (binary search by id, maps by email, username and
// federation id), so that paging and lookups stay fast at that scale.
package sandbox

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// DefaultAddr is the address cmd/sandbox listens on unless told otherwise,
// and the address the product dials for every Salesforce host in sandbox mode.
const DefaultAddr = "127.0.0.1:7070"

// Options configures a Sandbox.
type Options struct {
	// Seed makes generated names reproducible, and seeds the fault RNG when
	// Faults.Seed is zero.
	Seed int64
	// Logger receives one debug line per request and an info line per
	// control action; nil discards everything.
	Logger *zap.Logger
}

// Sandbox is the emulator. Create it with New; it is safe for concurrent use.
type Sandbox struct {
	log  *zap.Logger
	seed int64

	// mu guards the directory data: workspaces, orgs, the host table and
	// every slice and index inside them. Records themselves are immutable
	// once published, so a reader may keep pointers after unlocking.
	mu          sync.RWMutex
	workspaces  map[string]*workspace
	orgs        []*org          // in demo order, for listings
	orgByID     map[string]*org // 00D… id → org
	hosts       map[string]*org // current My Domain host → org
	formerHosts map[string]*org // a host the org answered on before a rename
	defaultOrg  *org            // what the bare sandbox address reaches

	// genMu serialises Generate so that reserved id ranges are inserted in
	// order, which keeps the id-sorted slices sorted by plain appends.
	genMu    sync.Mutex
	genSlack int64 // last generated Slack member number (ids U1…)
	genSF    int64 // last generated Salesforce user number (ids 0059…)
	genN     int64 // last gen<N> number used in emails and NameIDs
	genCalls int64 // how many Generate calls ran, to vary the name RNG

	// objectPermSeq numbers the ObjectPermissions created through the API.
	objectPermSeq atomic.Int64

	// slackDir holds the members created through SCIM with the admin token
	// (the organization's directory) and the sequences of created teams
	// and members; guarded by mu.
	slackDir slackDirectory

	auth      authStore
	slackAuth slackSignIns
	idKey     idTokenKey
	cursors   cursorStore
	msgs      messageLog
	inter     interactivity
	faults    faultInjector
	stats     statsCounter

	handler http.Handler
	// clock is time.Now unless a test replaces it (see export_test.go); it
	// decides when codes and query locators expire.
	clock atomic.Pointer[func() time.Time]
}

func (s *Sandbox) now() time.Time {
	if f := s.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// New returns a Sandbox seeded with the fixed demo data.
func New(opts Options) *Sandbox {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	s := &Sandbox{
		log:         log,
		seed:        opts.Seed,
		workspaces:  map[string]*workspace{},
		orgByID:     map[string]*org{},
		hosts:       map[string]*org{},
		formerHosts: map[string]*org{},
	}
	s.auth.init()
	s.slackAuth.init()
	s.cursors.init()
	s.faults.init(opts.Seed)
	s.stats.init()
	loadDemo(s)
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// Handler returns the http.Handler that serves all three surfaces.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// surface says which of the three APIs a request is for; it decides the
// counters, whether faults apply, and the shape of error bodies.
type surface int

const (
	surfaceSlack surface = iota
	surfaceSalesforce
	surfaceControl
)

func (k surface) String() string {
	switch k {
	case surfaceSlack:
		return "slack"
	case surfaceSalesforce:
		return "salesforce"
	default:
		return "control"
	}
}

// surfaceOf decides which surface serves r: the path, and for the paths
// that Slack and a My Domain both serve (OpenID Connect discovery), the host.
// It is the one place where that is decided.
func (s *Sandbox) surfaceOf(r *http.Request) surface {
	path := r.URL.Path
	switch {
	case path == "/sandbox" || strings.HasPrefix(path, "/sandbox/"):
		return surfaceControl
	case strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, scimPrefix):
		return surfaceSlack
	case isSlackOIDCPath(path) && !s.isOrgHost(requestHost(r)):
		// Sign in with Slack lives on the bare address (the sandbox's
		// "slack.com") and on any host that is no org's My Domain.
		return surfaceSlack
	default:
		return surfaceSalesforce
	}
}

// serveHTTP is the single entry point: it counts and logs the request,
// applies latency and faults to the Slack and Salesforce surfaces, and hands
// the request to the surface's router.
func (s *Sandbox) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	kind := s.surfaceOf(r)
	s.stats.request(kind)

	defer func() {
		if ce := s.log.Check(zap.DebugLevel, "request"); ce != nil {
			ce.Write(
				zap.String("surface", kind.String()),
				zap.String("method", r.Method),
				zap.String("host", r.Host),
				zap.String("path", r.URL.Path),
				zap.Int("status", sw.status),
				zap.Duration("duration", time.Since(start)),
			)
		}
	}()

	if kind != surfaceControl && s.faults.apply(r.Context(), sw, r, kind, &s.stats, s.log) {
		return
	}
	switch kind {
	case surfaceControl:
		s.serveControl(sw, r)
	case surfaceSlack:
		s.serveSlack(sw, r)
	default:
		s.serveSalesforce(sw, r)
	}
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
