// Package config reads sfconnect's configuration from the environment, once,
// for the worker, the starter and the sandbox launcher alike. With no
// configuration at all, it describes the default one-machine run: the local
// dev server, the sandbox on loopback and the SQLite store under .data/.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.temporal.io/sdk/log"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/workflows"
)

// DefaultSandboxURL is where `make run` serves the sandbox.
const DefaultSandboxURL = "http://127.0.0.1:7070"

// DefaultGCPercent is the worker's garbage collection target. Go's default,
// 100, spent about a sixth of the worker's CPU collecting during a bulk job
// (its batches allocate every row they read, resolve and write); 200
// collects half as often and stays under the memory limit, which bounds
// the heap either way (BENCHMARKS.md).
const DefaultGCPercent = 200

// Config is everything sfconnect reads from its environment.
type Config struct {
	// SandboxURL, when set, points Slack and Salesforce at the sandbox.
	SandboxURL string
	// SlackAPIURL overrides Slack's base URL (SLACK_API_URL).
	SlackAPIURL string
	// SlackTokens are the bot tokens by team id (SLACK_BOT_TOKENS
	// "T1=xoxb-…,T2=xoxb-…"); SlackToken is one token for every team
	// (SLACK_BOT_TOKEN, an org-wide app on Enterprise).
	SlackTokens map[string]string
	SlackToken  string
	// SlackAdmin is an org admin's user token (SLACK_ADMIN_TOKEN), for
	// creating and migrating workspaces.
	SlackAdmin string
	// Salesforce connected app credentials (client credentials flow).
	SalesforceClientID     string
	SalesforceClientSecret string
	// Timing of the human steps given to new workspaces.
	Timing workflows.Timing
	// WorkspaceIdle is how long a workspace without connections keeps its workflow.
	WorkspaceIdle time.Duration
	// WorkspaceReconcile is how often a workspace compares its registry
	// with the connections' workflows (SFCONNECT_WORKSPACE_RECONCILE).
	WorkspaceReconcile time.Duration
	// InviteEvery is the pause between a CSV job's invitation DMs
	// (SFCONNECT_INVITE_EVERY, default one second: Slack's posting rate).
	InviteEvery time.Duration
	// Jobs shape the worker's CSV mapping jobs, which read them from it
	// when they start (the starter's are not used).
	Jobs workflows.JobSettings
	// DataDir holds the default run's files (.data).
	DataDir string
	// MemoryLimitMB is the worker's memory budget
	// (SFCONNECT_MEMORY_LIMIT_MB): Go's soft memory limit, less what the
	// store holds outside Go's heap (SQLite's page caches: see
	// worker.GoMemoryLimit).
	MemoryLimitMB int64
	// GCPercent is the worker's garbage collection target
	// (SFCONNECT_GC_PERCENT): the heap grows by this percentage of the live
	// heap between collections, up to MemoryLimitMB.
	GCPercent int
	// CodecKeys encrypt payloads (SFCONNECT_CODEC_KEYS or _FILE); nil: see Codec.
	CodecKeys *codec.Keys
	// MetricsAddr is where the worker serves Prometheus metrics at /metrics
	// (SFCONNECT_METRICS_ADDR; "off" turns them off).
	MetricsAddr string
	// Profiling serves Go's profiles beside the metrics, at /debug/pprof/
	// (SFCONNECT_PPROF=1).
	Profiling bool
	// DatabaseURL is the store: PostgreSQL (postgres://…) in production,
	// SQLite under DataDir by default.
	DatabaseURL string
	LogLevel    string
	// SigningKeyBytes signs and verifies proofs of identity
	// (SFCONNECT_SIGNING_KEY or _FILE, decoded); nil: see SigningKey.
	SigningKeyBytes []byte
	// RequireProof makes the worker refuse steps without a proof even in
	// sandbox mode (SFCONNECT_REQUIRE_PROOF=1); see ProofRequired.
	RequireProof bool
	// ConsoleURL is the console's address (SFCONNECT_CONSOLE_URL), whose
	// callback a member's Salesforce sign-in may come back to.
	ConsoleURL string
	// Proof is a token the CLI attaches to every step (SFCONNECT_PROOF),
	// before any login of LoginFile.
	Proof string
	// LoginFile is where `starter login` keeps its sign-ins
	// ($XDG_CONFIG_HOME/sfconnect/login.json or
	// ~/.config/sfconnect/login.json; "" for none).
	LoginFile string
}

// Load reads the configuration from the process environment.
func Load() (Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, for tests.
func LoadFrom(getenv func(string) string) (Config, error) {
	c := Config{
		SandboxURL:             getenv("SFCONNECT_SANDBOX_URL"),
		SlackAPIURL:            getenv("SLACK_API_URL"),
		SlackToken:             getenv("SLACK_BOT_TOKEN"),
		SlackAdmin:             getenv("SLACK_ADMIN_TOKEN"),
		SalesforceClientID:     getenv("SALESFORCE_CLIENT_ID"),
		SalesforceClientSecret: getenv("SALESFORCE_CLIENT_SECRET"),
		DataDir:                or(getenv("SFCONNECT_DATA_DIR"), ".data"),
		LogLevel:               or(getenv("SFCONNECT_LOG_LEVEL"), "info"),
		MetricsAddr:            or(getenv("SFCONNECT_METRICS_ADDR"), "127.0.0.1:9090"),
		Profiling:              getenv("SFCONNECT_PPROF") == "1",
		RequireProof:           getenv("SFCONNECT_REQUIRE_PROOF") == "1",
		ConsoleURL:             or(getenv("SFCONNECT_CONSOLE_URL"), DefaultConsoleURL),
		Proof:                  strings.TrimSpace(getenv("SFCONNECT_PROOF")),
		LoginFile:              identity.LoginPath(getenv),
	}
	c.DatabaseURL = or(getenv("DATABASE_URL"), "sqlite:"+filepath.Join(c.DataDir, "sfconnect.db"))
	tokens, err := parseTokens(getenv("SLACK_BOT_TOKENS"))
	if err != nil {
		return c, err
	}
	c.SlackTokens = tokens
	if c.CodecKeys, err = codec.LoadKeys(getenv); err != nil {
		return c, err
	}
	if c.SigningKeyBytes, err = loadSigningKey(getenv); err != nil {
		return c, err
	}
	real := c.SlackToken != "" || len(c.SlackTokens) > 0 || c.SalesforceClientID != ""
	if c.SandboxURL == "" && !real {
		c.SandboxURL = DefaultSandboxURL
	}
	if c.Timing.RequestTTL, err = duration(getenv, "SFCONNECT_REQUEST_TTL", workflows.DefaultTiming.RequestTTL); err != nil {
		return c, err
	}
	if c.Timing.ReminderEvery, err = duration(getenv, "SFCONNECT_REMINDER_EVERY", workflows.DefaultTiming.ReminderEvery); err != nil {
		return c, err
	}
	if c.InviteEvery, err = duration(getenv, "SFCONNECT_INVITE_EVERY", time.Second); err != nil {
		return c, err
	}
	if c.WorkspaceIdle, err = duration(getenv, "SFCONNECT_WORKSPACE_IDLE", workflows.DefaultIdleTimeout); err != nil {
		return c, err
	}
	if c.WorkspaceReconcile, err = duration(getenv, "SFCONNECT_WORKSPACE_RECONCILE", workflows.DefaultReconcileEvery); err != nil {
		return c, err
	}
	limit, err := positive(getenv, "SFCONNECT_MEMORY_LIMIT_MB", 200)
	if err != nil {
		return c, err
	}
	c.MemoryLimitMB = int64(limit)
	if c.GCPercent, err = positive(getenv, "SFCONNECT_GC_PERCENT", DefaultGCPercent); err != nil {
		return c, err
	}
	c.Jobs = workflows.DefaultJobSettings
	if c.Jobs.InviteTTL, err = duration(getenv, "SFCONNECT_INVITE_TTL", c.Jobs.InviteTTL); err != nil {
		return c, err
	}
	c.Timing.InviteTTL = c.Jobs.InviteTTL
	if c.Jobs.ApprovalTTL, err = duration(getenv, "SFCONNECT_JOB_APPROVAL_TTL", c.Jobs.ApprovalTTL); err != nil {
		return c, err
	}
	if c.Jobs.RevalidateAfter, err = duration(getenv, "SFCONNECT_JOB_REVALIDATE_AFTER", c.Jobs.RevalidateAfter); err != nil {
		return c, err
	}
	if c.Jobs.FollowEvery, err = duration(getenv, "SFCONNECT_JOB_FOLLOW_EVERY", c.Jobs.FollowEvery); err != nil {
		return c, err
	}
	if c.Jobs.UploadTTL, err = duration(getenv, "SFCONNECT_JOB_UPLOAD_TTL", c.Jobs.UploadTTL); err != nil {
		return c, err
	}
	if c.Jobs.BatchSize, err = positive(getenv, "SFCONNECT_JOB_BATCH", c.Jobs.BatchSize); err != nil {
		return c, err
	}
	if c.Jobs.Parallelism, err = positive(getenv, "SFCONNECT_JOB_PARALLELISM", c.Jobs.Parallelism); err != nil {
		return c, err
	}
	if c.Jobs.ValidateParallelism, err = positive(getenv, "SFCONNECT_JOB_VALIDATE_PARALLELISM", c.Jobs.ValidateParallelism); err != nil {
		return c, err
	}
	return c, nil
}

// JobsEnv is the environment that gives a worker the job settings s
// (the variables LoadFrom reads them from), for tests and benchmarks that
// run workers as processes.
func JobsEnv(s workflows.JobSettings) []string {
	return []string{
		"SFCONNECT_INVITE_TTL=" + s.InviteTTL.String(),
		"SFCONNECT_JOB_APPROVAL_TTL=" + s.ApprovalTTL.String(),
		"SFCONNECT_JOB_REVALIDATE_AFTER=" + s.RevalidateAfter.String(),
		"SFCONNECT_JOB_FOLLOW_EVERY=" + s.FollowEvery.String(),
		"SFCONNECT_JOB_UPLOAD_TTL=" + s.UploadTTL.String(),
		"SFCONNECT_JOB_BATCH=" + strconv.Itoa(s.BatchSize),
		"SFCONNECT_JOB_PARALLELISM=" + strconv.Itoa(s.Parallelism),
		"SFCONNECT_JOB_VALIDATE_PARALLELISM=" + strconv.Itoa(s.ValidateParallelism),
	}
}

// Sandbox reports whether Slack and Salesforce are the sandbox.
func (c Config) Sandbox() bool { return c.SandboxURL != "" }

// SandboxAddr is the sandbox's host:port, which every Salesforce host is
// dialled at in sandbox mode.
func (c Config) SandboxAddr() string {
	return strings.TrimPrefix(strings.TrimPrefix(c.SandboxURL, "http://"), "https://")
}

// SlackURL is the Slack Web API base URL, with its trailing slash.
func (c Config) SlackURL() string {
	switch {
	case c.SlackAPIURL != "":
		return strings.TrimSuffix(c.SlackAPIURL, "/") + "/"
	case c.Sandbox():
		return strings.TrimSuffix(c.SandboxURL, "/") + "/api/"
	}
	return ""
}

// SlackTokenFor returns the bot token of a workspace. In sandbox mode every
// workspace's token is derived from its id, as the sandbox expects.
func (c Config) SlackTokenFor(team string) (string, error) {
	if t, ok := c.SlackTokens[team]; ok {
		return t, nil
	}
	if c.SlackToken != "" {
		return c.SlackToken, nil
	}
	if c.Sandbox() {
		return "xoxb-sandbox-" + team, nil
	}
	return "", fmt.Errorf("no Slack bot token for workspace %s: add it to SLACK_BOT_TOKENS (%s=xoxb-…)", team, team)
}

// SlackAdminToken is the org admin token; the sandbox's own in sandbox mode.
func (c Config) SlackAdminToken() string {
	if c.SlackAdmin == "" && c.Sandbox() {
		return "xoxp-sandbox-admin"
	}
	return c.SlackAdmin
}

// Codec is the key ring that encrypts every payload sfconnect gives
// Temporal: the configured one; in sandbox mode, a key kept under DataDir
// (so `make run` encrypts out of the box and restarts still decrypt).
func (c Config) Codec() (*codec.Keys, error) {
	switch {
	case c.CodecKeys != nil:
		return c.CodecKeys, nil
	case c.Sandbox():
		return codec.DevKeys(c.DataDir)
	}
	return nil, errors.New("no payload encryption keys: set SFCONNECT_CODEC_KEYS (id:base64key,…; `go run ./cmd/codec-server -new-key ID` makes one) or SFCONNECT_CODEC_KEYS_FILE")
}

// SalesforceCredentials returns the connected app's client id and secret;
// the sandbox accepts any non-empty pair.
func (c Config) SalesforceCredentials() (id, secret string) {
	if c.SalesforceClientID == "" && c.Sandbox() {
		return "sandbox", "sandbox"
	}
	return c.SalesforceClientID, c.SalesforceClientSecret
}

// TemporalClientOptions reads Temporal's standard environment and profiles
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key; the config file's
// profile), defaulting to the local dev server.
func TemporalClientOptions() (client.Options, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return opts, fmt.Errorf("temporal client configuration: %w", err)
	}
	return opts, nil
}

// ClientOptions are the options of a Temporal client of this
// configuration: Temporal's standard environment (TemporalClientOptions),
// the given logger, and the payload codec (Codec), so that the worker, the
// CLI and the console read each other's payloads.
func (c Config) ClientOptions(logger log.Logger) (client.Options, error) {
	opts, err := TemporalClientOptions()
	if err != nil {
		return opts, err
	}
	opts.Logger = logger
	keys, err := c.Codec()
	if err != nil {
		return opts, err
	}
	codec.Configure(&opts, keys)
	return opts, nil
}

func parseTokens(s string) (map[string]string, error) {
	tokens := map[string]string{}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		team, token, ok := strings.Cut(pair, "=")
		if !ok || team == "" || token == "" {
			return nil, fmt.Errorf("SLACK_BOT_TOKENS: %q is not TEAM=TOKEN (example: T0123ABCD=xoxb-…)", pair)
		}
		tokens[team] = token
	}
	return tokens, nil
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration (examples: 168h, 30m, 10s)", name, v)
	}
	return d, nil
}

func positive(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive whole number", name, v)
	}
	return n, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
