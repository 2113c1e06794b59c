package console

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// provider is an OpenID provider found by discovery (Slack, or one
// Salesforce org's My Domain), with its verifier and the console's OAuth
// configuration for it. go-oidc checks the id tokens: signature against
// the provider's JWKS, issuer, audience and expiry; the console checks the
// nonce.
type provider struct {
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// clientContext makes go-oidc and x/oauth2 reach the providers through the
// console's HTTP client (in sandbox mode: the sandbox).
func (s *Server) clientContext(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, s.opts.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, s.opts.HTTPClient)
}

// provider discovers issuer once and keeps it; a failed discovery is not
// kept, so a provider that was down is asked again next time.
func (s *Server) provider(ctx context.Context, issuer, clientID, clientSecret, callback string, scopes []string) (*provider, error) {
	s.mu.Lock()
	p, ok := s.providers[issuer]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	op, err := oidc.NewProvider(s.clientContext(ctx), issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the sign-in of %s: %w", issuer, err)
	}
	endpoint := op.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInParams
	p = &provider{
		verifier: op.Verifier(&oidc.Config{ClientID: clientID, Now: s.now}),
		oauth: oauth2.Config{
			ClientID: clientID, ClientSecret: clientSecret, Endpoint: endpoint,
			RedirectURL: s.url(callback), Scopes: scopes,
		},
	}
	s.mu.Lock()
	s.providers[issuer] = p
	s.mu.Unlock()
	return p, nil
}

// authorizeURL is where the browser goes to sign in, PKCE and nonce
// included.
func authorizeURL(p *provider, f flow, extra ...oauth2.AuthCodeOption) string {
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}, extra...)
	return p.oauth.AuthCodeURL(f.State, opts...)
}

// exchange trades the callback's code for tokens (with the PKCE verifier)
// and verifies the id token, nonce included.
func (s *Server) exchange(r *http.Request, p *provider, f flow) (*oauth2.Token, *oidc.IDToken, error) {
	ctx := s.clientContext(r.Context())
	tok, err := p.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, nil, fmt.Errorf("the sign-in's code was refused: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, nil, fmt.Errorf("the sign-in answered without an id token")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("the sign-in's id token is not valid: %w", err)
	}
	if idt.Nonce != f.Nonce {
		return nil, nil, fmt.Errorf("the sign-in's id token belongs to another sign-in (nonce mismatch): start again")
	}
	return tok, idt, nil
}
