package salesforce

import "time"

// DefaultAPIVersion is the REST API version used when Config.APIVersion is
// empty; it is the one the sandbox serves.
const DefaultAPIVersion = "v62.0"

// DefaultTimeout bounds one HTTP request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config says how to reach Salesforce and as which connected app.
type Config struct {
	// ClientID and ClientSecret are the connected app's consumer key and
	// secret, used for the integration user's token (client credentials
	// flow) and for the authorization code flow.
	ClientID, ClientSecret string
	// SandboxAddr ("127.0.0.1:7070"), when set, is dialled for every
	// Salesforce host, over plain HTTP; the Host header still names the My
	// Domain. Empty means real Salesforce over HTTPS.
	SandboxAddr string
	// APIVersion is the REST API version, such as "v62.0"; empty means
	// DefaultAPIVersion.
	APIVersion string
	// Timeout bounds each HTTP request, token requests included; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}
