package codec_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sfconnect/sfconnect/codec"
)

// issuer is an identity provider's discovery document and keys, as the
// Web UI's sign-in would have.
type issuer struct {
	*httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": is.URL, "jwks_uri": is.URL + "/keys",
			"authorization_endpoint": is.URL + "/auth", "token_endpoint": is.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	return is
}

// token signs claims with key as the issuer's key k1.
func token(t *testing.T, key *rsa.PrivateKey, claims jwt.Claims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The Web UI's forwarded access token opens the codec server when the
// issuer signed it for the audience and it has not expired; a static
// bearer token still works beside it.
func TestCodecServerTakesTheWebUIsForwardedToken(t *testing.T) {
	is := newIssuer(t)
	auth, err := codec.AuthFromEnv(t.Context(), envMap{
		codec.EnvOIDCIssuer: is.URL, codec.EnvOIDCAudience: "temporal-ui", codec.EnvTokens: "s3cret",
	}.get)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.CheckExposure("0.0.0.0:8081", codec.Auth{Verifier: auth.Verifier}); err != nil {
		t.Fatalf("an OIDC issuer alone should let it listen beyond loopback: %v", err)
	}
	srv := httptest.NewServer(codec.Handler(mustKeys(t, "k1:"+key(1)), nil, auth))
	defer srv.Close()

	now := time.Now()
	good := jwt.Claims{Issuer: is.URL, Subject: "operator@example.com", Audience: jwt.Audience{"temporal-ui"},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}
	expired, otherAudience, otherIssuer := good, good, good
	expired.Expiry = jwt.NewNumericDate(now.Add(-time.Minute))
	otherAudience.Audience = jwt.Audience{"another-app"}
	otherIssuer.Issuer = "https://elsewhere.example"
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, bearer string
		want         int
	}{
		{"the UI's token", token(t, is.key, good), http.StatusOK},
		{"the static token", "s3cret", http.StatusOK},
		{"none", "", http.StatusUnauthorized},
		{"expired", token(t, is.key, expired), http.StatusUnauthorized},
		{"for another audience", token(t, is.key, otherAudience), http.StatusUnauthorized},
		{"from another issuer", token(t, is.key, otherIssuer), http.StatusUnauthorized},
		{"signed by another key", token(t, stranger, good), http.StatusUnauthorized},
		{"garbage", "not-a-jwt", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/decode", strings.NewReader(`{"payloads":[]}`))
		req.Header.Set("Content-Type", "application/json")
		if tc.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tc.bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %s, want %d", tc.name, resp.Status, tc.want)
		}
	}
}

func TestOIDCNeedsAnAudience(t *testing.T) {
	is := newIssuer(t)
	_, err := codec.AuthFromEnv(t.Context(), envMap{codec.EnvOIDCIssuer: is.URL}.get)
	if err == nil || !strings.Contains(err.Error(), codec.EnvOIDCAudience) {
		t.Fatalf("an issuer without an audience: %v", err)
	}
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
