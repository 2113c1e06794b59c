package salesforce

import "net/http"

// BrowserClient is an HTTP client that reaches Salesforce hosts as this
// package does (the sandbox's address in sandbox mode) and never follows
// redirects: the CLI uses it to play a member's browser in the OAuth sign-in,
// reading the code from the redirect Salesforce answers with.
func BrowserClient(cfg Config) *http.Client { return newHTTPClient(cfg.withDefaults()) }
