package salesforce

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	gojson "github.com/goccy/go-json"
	"go.uber.org/zap"
	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/orgurl"
)

// Salesforce's OAuth endpoints, on the org's My Domain.
const (
	tokenPath     = "/services/oauth2/token"
	authorizePath = "/services/oauth2/authorize"
	userInfoPath  = "/services/oauth2/userinfo"
)

// maxErrorBody bounds how much of a refusal's body is read: Salesforce's
// error bodies are small, and anything bigger is not one of them.
const maxErrorBody = 1 << 20

// Client talks to one org, as the connected app's integration user. Get it
// from Factory.Org; it is safe for concurrent use.
type Client struct {
	domain       orgurl.MyDomain
	base         string // "https://acme.my.salesforce.com"
	dataPath     string // "/services/data/v62.0"
	clientID     string
	clientSecret string
	http         *http.Client
	tokens       *tokenCache
	log          *zap.Logger
}

// MyDomain is the org's My Domain, as the Client reaches it.
func (c *Client) MyDomain() orgurl.MyDomain { return c.domain }

// oauthContext hands the Client's HTTP client (with its sandbox dialling and
// its refusal to follow redirects) to the oauth2 package.
func (c *Client) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}

// getJSON GETs path (below the org's host) as the integration user and
// decodes the JSON answer into out.
func (c *Client) getJSON(ctx context.Context, op, path string, header http.Header, out any) error {
	return c.withToken(ctx, op, out, func(accessToken string) (*http.Response, error) {
		return c.send(ctx, op, path, accessToken, header)
	})
}

// withToken sends a request (built by request for an access token) as the
// integration user and decodes its answer into out. A 401 drops the token
// and tries once more with a fresh one, because Salesforce sessions end on
// the org's schedule, not on one the token told us.
func (c *Client) withToken(ctx context.Context, op string, out any, request func(accessToken string) (*http.Response, error)) error {
	for retried := false; ; retried = true {
		tok, err := c.tokens.token(ctx, op)
		if err != nil {
			return err
		}
		resp, err := request(tok.AccessToken)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusUnauthorized && !retried {
			drain(resp)
			c.tokens.invalidate(tok)
			c.log.Info("session refused, fetching a new token", zap.String("op", op))
			continue
		}
		return c.decode(op, resp, out)
	}
}

// send performs one authenticated GET of path on the org's host. The
// caller owns the response.
func (c *Client) send(ctx context.Context, op, path, accessToken string, header http.Header) (*http.Response, error) {
	return c.sendRequest(ctx, op, http.MethodGet, path, accessToken, header, nil)
}

// sendRequest performs one authenticated request of path on the org's
// host, with body (JSON) when it is not nil. The caller owns the response.
func (c *Client) sendRequest(ctx context.Context, op, method, path, accessToken string, header http.Header, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("salesforce %s on %s: %w", op, c.domain.Host, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("salesforce %s on %s: %w", op, c.domain.Host, err)
	}
	c.log.Debug("request", zap.String("op", op), zap.String("method", method), zap.Int("status", resp.StatusCode), zap.Duration("took", time.Since(start)))
	return resp, nil
}

// decode turns a response into out, or into the error it carries; it closes
// the body.
func (c *Client) decode(op string, resp *http.Response, out any) error {
	defer drain(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return c.responseError(op, resp, body)
	}
	if err := gojson.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("salesforce %s on %s: reading the answer: %w", op, c.domain.Host, err)
	}
	return nil
}

// drain reads what is left of a body (a little) and closes it, so that the
// connection goes back to the pool.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
