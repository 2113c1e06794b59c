package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"go.uber.org/zap"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sfconnect/sfconnect/orgurl"
)

// Factory gives the Client of each org. It is safe for concurrent use; one
// Factory serves every org, sharing one HTTP client (and its connections).
type Factory struct {
	cfg  Config
	http *http.Client
	log  *zap.Logger

	mu      sync.Mutex
	clients map[string]*Client // by My Domain host
}

// NewFactory returns a Factory for the connected app cfg names. A nil log
// discards the logs.
func NewFactory(cfg Config, log *zap.Logger) *Factory {
	if log == nil {
		log = zap.NewNop()
	}
	cfg = cfg.withDefaults()
	return &Factory{
		cfg:     cfg,
		http:    newHTTPClient(cfg),
		log:     log.Named("salesforce"),
		clients: make(map[string]*Client),
	}
}

// Org returns the Client of the org at myDomainURL, in any form
// orgurl.Parse accepts (a Lightning URL gives the same Client as its My
// Domain). A URL that orgurl refuses is refused here, wrapping orgurl's
// *Error, before anything is sent. The Client, with its token, is kept for
// the next call naming the same host.
func (f *Factory) Org(myDomainURL string) (*Client, error) {
	d, err := orgurl.Parse(myDomainURL)
	if err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[d.Host]; ok {
		return c, nil
	}
	c := f.newClient(d)
	f.clients[d.Host] = c
	return c, nil
}

// newClient builds the Client of d.
func (f *Factory) newClient(d orgurl.MyDomain) *Client {
	c := &Client{
		domain:       d,
		base:         d.URL(),
		dataPath:     "/services/data/" + f.cfg.APIVersion,
		clientID:     f.cfg.ClientID,
		clientSecret: f.cfg.ClientSecret,
		http:         f.http,
		log:          f.log.With(zap.String("org", d.Host)),
	}
	cc := &clientcredentials.Config{
		ClientID:     f.cfg.ClientID,
		ClientSecret: f.cfg.ClientSecret,
		TokenURL:     c.base + tokenPath,
		// Salesforce reads the credentials from the form; stating it
		// saves oauth2 from probing with a failing request first.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	c.tokens = &tokenCache{fetch: func(ctx context.Context, op string) (*oauth2.Token, error) {
		// Config.Token fetches a fresh token on every call: the caching
		// is tokenCache's, which can also forget a token Salesforce
		// stopped accepting.
		tok, err := cc.Token(c.oauthContext(ctx))
		if err != nil {
			// The error names the call that needed the token.
			return nil, c.tokenError(op+" (token)", err)
		}
		c.log.Debug("integration token issued")
		return tok, nil
	}}
	return c
}
