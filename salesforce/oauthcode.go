package salesforce

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"
)

// UserInfo is who a user token belongs to, from the userinfo endpoint.
type UserInfo struct {
	UserID            string `json:"user_id"`
	OrganizationID    string `json:"organization_id"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	Active            bool   `json:"active"`
}

// codeFlow is the authorization code flow's configuration for one redirect
// URI, on the org's own My Domain so that the user signs in to this org.
func (c *Client) codeFlow(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.clientID,
		ClientSecret: c.clientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.base + authorizePath,
			TokenURL:  c.base + tokenPath,
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURI,
	}
}

// AuthCodeURL is the address to send a user to so that they sign in to the
// org and come back to redirectURI with a code and state. loginHint, when
// not empty, pre-fills their username. opts add to the request; PKCE
// (RFC 7636) is oauth2.S256ChallengeOption(verifier), whose verifier
// ExchangeCode must then be given.
func (c *Client) AuthCodeURL(redirectURI, state, loginHint string, opts ...oauth2.AuthCodeOption) string {
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return c.codeFlow(redirectURI).AuthCodeURL(state, opts...)
}

// ExchangeCode trades the code a user came back with for their token;
// redirectURI must be the one AuthCodeURL was given, and opts carry the
// PKCE verifier (oauth2.VerifierOption) if AuthCodeURL sent its challenge.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	tok, err := c.codeFlow(redirectURI).Exchange(c.oauthContext(ctx), code, opts...)
	if err != nil {
		return nil, c.tokenError("ExchangeCode", err)
	}
	return tok, nil
}

// UserInfo says who tok (a user's token from ExchangeCode) belongs to. It
// does not refresh tok: a refused token is an error matching
// ErrUnauthorized.
func (c *Client) UserInfo(ctx context.Context, tok *oauth2.Token) (UserInfo, error) {
	if tok == nil || tok.AccessToken == "" {
		return UserInfo{}, fmt.Errorf("salesforce UserInfo on %s: no access token", c.domain.Host)
	}
	resp, err := c.send(ctx, "UserInfo", userInfoPath, tok.AccessToken, nil)
	if err != nil {
		return UserInfo{}, err
	}
	var info UserInfo
	if err := c.decode("UserInfo", resp, &info); err != nil {
		return UserInfo{}, err
	}
	return info, nil
}
