package slackapi_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/sfconnect/sfconnect/slackapi"
)

func TestTokenAskedOncePerWorkspace(t *testing.T) {
	_, d, k := newDirectory(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := d.Member(ctx, acme, "U0OWNER"); err != nil {
				t.Error(err)
			}
			if _, err := d.Team(ctx, beta); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Concurrent first calls may each ask; afterwards the client is cached.
	before := k.count(acme)
	if _, err := d.Member(ctx, acme, "U0ADMIN"); err != nil {
		t.Fatal(err)
	}
	if k.count(acme) != before || before == 0 || k.count(beta) == 0 {
		t.Errorf("TokenFor asked %d then %d times for %s, %d for %s", before, k.count(acme), acme, k.count(beta), beta)
	}
}

func TestRefusedTokenIsAskedForAgain(t *testing.T) {
	_, d, k := newDirectory(t)
	k.bad[acme] = 1
	ctx := context.Background()
	if _, err := d.Team(ctx, acme); !errors.Is(err, slackapi.ErrInvalidAuth) {
		t.Fatalf("err = %v, want ErrInvalidAuth", err)
	}
	// The app was reinstalled: TokenFor now has the good token.
	if _, err := d.Team(ctx, acme); err != nil {
		t.Fatalf("after a new token: %v", err)
	}
	if _, err := d.Team(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if n := k.count(acme); n != 2 {
		t.Errorf("TokenFor asked %d times, want 2", n)
	}
}

func TestTokenForFailure(t *testing.T) {
	f := newFakeSlack(t)
	seed(f)
	missing := errors.New("no token stored")
	d := slackapi.New(slackapi.Config{APIURL: f.apiURL() + "/", TokenFor: func(string) (string, error) { return "", missing }}, nil)
	_, err := d.Member(context.Background(), acme, "U0OWNER")
	if !errors.Is(err, missing) {
		t.Fatalf("err = %v, want TokenFor's", err)
	}
	if !strings.HasPrefix(err.Error(), "slack users.info U0OWNER in T0ACME: ") {
		t.Errorf("err = %q", err)
	}
	if slackapi.Retryable(err) {
		t.Error("Retryable = true")
	}
	if len(f.callsOf("users.info")) != 0 {
		t.Error("called Slack without a token")
	}
}
