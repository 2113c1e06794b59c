package console

import (
	"net/url"
	"strings"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/sandbox"
)

// Settings are the console's own part of the environment.
type Settings struct {
	// Addr is where the console listens (SFCONNECT_CONSOLE_ADDR).
	Addr string
	// BaseURL is its public address (config's ConsoleURL,
	// SFCONNECT_CONSOLE_URL): the Slack app's and the connected app's
	// redirect URIs are BaseURL + SlackCallbackPath and BaseURL +
	// SalesforceCallbackPath.
	BaseURL    string
	Slack      SlackApp
	Salesforce SalesforceApp
	// SigningSecret is the Slack app's signing secret
	// (SLACK_SIGNING_SECRET; sandbox.SigningSecret in sandbox mode), which
	// verifies the interactivity requests.
	SigningSecret string
}

// Client ids the sandbox's sign-in accepts (it accepts any); real ones come
// from the environment.
const (
	sandboxClientID     = "sfconnect-console"
	sandboxClientSecret = "sfconnect-console-sandbox-secret"
)

// SettingsFrom reads the console's settings: SLACK_CLIENT_ID,
// SLACK_CLIENT_SECRET and SLACK_OIDC_ISSUER (https://slack.com) for Sign in
// with Slack; SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET, the
// connected app of the whole product, for the orgs' sign-in. In sandbox
// mode the sandbox stands for both, with its own client ids.
func SettingsFrom(cfg config.Config, getenv func(string) string) Settings {
	s := Settings{
		Addr:    or(getenv("SFCONNECT_CONSOLE_ADDR"), DefaultAddr),
		BaseURL: strings.TrimSuffix(cfg.ConsoleURL, "/"),
		Slack: SlackApp{
			Issuer:   or(getenv("SLACK_OIDC_ISSUER"), "https://slack.com"),
			ClientID: getenv("SLACK_CLIENT_ID"), ClientSecret: getenv("SLACK_CLIENT_SECRET"),
		},
		Salesforce:    SalesforceApp{ClientID: cfg.SalesforceClientID, ClientSecret: cfg.SalesforceClientSecret},
		SigningSecret: getenv("SLACK_SIGNING_SECRET"),
	}
	if cfg.Sandbox() {
		s.SigningSecret = sandbox.SigningSecret
		s.Slack = SlackApp{Issuer: strings.TrimSuffix(cfg.SandboxURL, "/"), ClientID: sandboxClientID, ClientSecret: sandboxClientSecret}
		s.Salesforce = SalesforceApp{ClientID: sandboxClientID, ClientSecret: sandboxClientSecret}
	}
	return s
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// formTargets are the sign-in pages a form's redirect may lead to.
func formTargets(cfg config.Config, s Settings) []string {
	if cfg.Sandbox() {
		sb, err := url.Parse(cfg.SandboxURL)
		if err != nil {
			return nil
		}
		return []string{cfg.SandboxURL, "http://*.localhost:" + sb.Port()}
	}
	return []string{s.Slack.Issuer, "https://*.my.salesforce.com", "https://*.my.salesforce.mil", "https://*.force.com"}
}
