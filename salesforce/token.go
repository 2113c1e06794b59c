package salesforce

import (
	"context"
	"sync"

	"golang.org/x/oauth2"
)

// tokenCache holds an org's integration token. It replaces
// oauth2.ReuseTokenSource because Salesforce's client credentials response
// has no expires_in, so a reused token would be kept forever: the session's
// real lifetime is only learnt from a 401, after which invalidate drops it.
type tokenCache struct {
	// fetch asks for a new token on behalf of the call op.
	fetch func(ctx context.Context, op string) (*oauth2.Token, error)

	// mu is held across a fetch, so that concurrent calls that find no
	// token ask Salesforce for one, not one each.
	mu  sync.Mutex
	tok *oauth2.Token
}

// token returns the cached token, fetching one for the call op when there is
// none (or the cached one has a known expiry that has passed).
func (t *tokenCache) token(ctx context.Context, op string) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Valid() {
		return t.tok, nil
	}
	tok, err := t.fetch(ctx, op)
	if err != nil {
		return nil, err
	}
	t.tok = tok
	return tok, nil
}

// invalidate drops old if it is still the cached token. Comparing first
// keeps a burst of calls that all failed with the same stale token from
// discarding the fresh one the first of them already fetched.
func (t *tokenCache) invalidate(old *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == old {
		t.tok = nil
	}
}
