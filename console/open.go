package console

import (
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/slackapi"
)

// Open builds the console of a configuration: the same signing key as the
// worker (which verifies what the console signs), the providers of
// Settings, and, in sandbox mode, the sandbox in place of Slack and
// Salesforce.
func Open(cfg config.Config, s Settings, client *sfclient.Client, log *zap.Logger) (*Server, error) {
	if log == nil {
		log = zap.NewNop()
	}
	key, err := cfg.SigningKey()
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	signer, err := identity.NewSigner(key)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if !cfg.Sandbox() && (s.Slack.ClientID == "" || s.Salesforce.ClientID == "") {
		return nil, fmt.Errorf("console: SLACK_CLIENT_ID and SALESFORCE_CLIENT_ID (with their secrets) are needed outside sandbox mode")
	}
	uploads := filepath.Join(cfg.DataDir, "uploads")
	if err := os.MkdirAll(uploads, 0o700); err != nil {
		return nil, fmt.Errorf("console uploads: %w", err)
	}
	opts := Options{
		BaseURL: s.BaseURL, Client: client, Signer: signer, Slack: s.Slack, Salesforce: s.Salesforce,
		HTTPClient:  salesforce.BrowserClient(salesforce.Config{SandboxAddr: cfg.SandboxAddr()}),
		FormTargets: formTargets(cfg, s), Sandbox: cfg.Sandbox(), UploadDir: uploads, Log: log,
		SigningSecret: s.SigningSecret,
		// The bot's tokens, as the worker's: the console updates the
		// messages the worker posted.
		Messages: slackapi.New(slackapi.Config{APIURL: cfg.SlackURL(), TokenFor: cfg.SlackTokenFor}, log.Named("slack")),
	}
	if cfg.Sandbox() {
		addr := cfg.SandboxAddr()
		opts.SalesforceBrowserURL = func(u string) (string, error) { return sandbox.BrowserURL(u, addr) }
	}
	return New(opts, key)
}
