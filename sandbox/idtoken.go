package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The id tokens of both sign-ins: RS256 JWTs signed by go-jose with one RSA
// key per Sandbox, whose public half both JWKS endpoints serve.

// idTokenKey is the Sandbox's signing key. It is made on first use rather
// than in New: an RSA 2048 key costs about 100 ms here, and most sandboxes
// (the tests') never sign anything. It lives as long as the Sandbox, in
// memory only, so tokens verify for as long as the sandbox runs.
type idTokenKey struct {
	once   sync.Once
	err    error
	signer jose.Signer
	public jose.JSONWebKey
}

func (k *idTokenKey) init() error {
	k.once.Do(func() {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			k.err = fmt.Errorf("sandbox: id token key: %w", err)
			return
		}
		pub := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
		// The kid is the key's RFC 7638 thumbprint: stable for the key,
		// and what verifiers match a token's header against.
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			k.err = fmt.Errorf("sandbox: id token key thumbprint: %w", err)
			return
		}
		pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		signer, err := jose.NewSigner(
			jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: pub.KeyID, Algorithm: string(jose.RS256)}},
			(&jose.SignerOptions{}).WithType("JWT"),
		)
		if err != nil {
			k.err = fmt.Errorf("sandbox: id token signer: %w", err)
			return
		}
		k.signer, k.public = signer, pub
	})
	return k.err
}

// signIDToken signs claims (the registered ones and the provider's own, in
// one map so that their JSON names are exactly the provider's).
func (s *Sandbox) signIDToken(claims map[string]any) (string, error) {
	if err := s.idKey.init(); err != nil {
		return "", err
	}
	tok, err := jwt.Signed(s.idKey.signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sandbox: sign id token: %w", err)
	}
	return tok, nil
}

// serveJWKS answers the key set that verifies the id tokens.
func (s *Sandbox) serveJWKS(w http.ResponseWriter) {
	if err := s.idKey.init(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.idKey.public}})
}

// accessTokenHash is OpenID Connect's at_hash for an RS256 token: the left
// half of the SHA-256 of the access token, base64url-encoded.
func accessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
