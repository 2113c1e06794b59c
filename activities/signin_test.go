package activities_test

import (
	"context"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sfconnect/sfconnect/activities"
)

// A member's sign-in may come back only where the worker allows (the CLI's
// loopback address, the console's callback), and carries PKCE's challenge.
func TestSignInURLRedirectsAndPKCE(t *testing.T) {
	a, _ := newActivities(t)
	loopback, console := "http://127.0.0.1/sfconnect/oauth/callback", "http://127.0.0.1:8088/auth/salesforce/callback"
	a.SignInRedirectURIs = []string{loopback, console}
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	raw, err := a.SignInURL(ctx, activities.SignInURLInput{OrgURL: acmeURL, RedirectURI: console, State: "st", Verifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if q.Get("redirect_uri") != console || q.Get("state") != "st" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(verifier) || q.Has("code_verifier") {
		t.Fatalf("authorize URL %s", raw)
	}
	if raw, err := a.SignInURL(ctx, activities.SignInURLInput{OrgURL: acmeURL, RedirectURI: loopback, State: "st"}); err != nil {
		t.Fatal(err)
	} else if u, _ := url.Parse(raw); u.Query().Has("code_challenge") {
		t.Fatalf("a sign-in without a verifier sent a challenge: %s", raw)
	}
	for _, bad := range []string{"https://evil.example/auth/salesforce/callback", "http://127.0.0.1:8088/auth/salesforce/callback/../x", ""} {
		_, err := a.SignInURL(ctx, activities.SignInURLInput{OrgURL: acmeURL, RedirectURI: bad, State: "st"})
		if errType(err) != activities.ErrInvalidInput {
			t.Errorf("redirect %q: %v, want InvalidInput", bad, err)
		}
	}
}
