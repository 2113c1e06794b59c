package console

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// sealer keeps state in the browser's cookies, encrypted and authenticated
// (JWE, direct A256GCM through go-jose): a cookie the console did not make,
// or one past its time, reads as absent. Nothing is kept on the server, so
// any number of consoles behind a load balancer share the sessions.
type sealer struct {
	enc jose.Encrypter
	key []byte
}

// newSealer derives the cookie key from the console's secret, under a label
// of its own, so that the key that signs step assertions never encrypts
// anything.
func newSealer(secret []byte) (*sealer, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "sfconnect console cookies v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive the cookie key: %w", err)
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: key}, (&jose.EncrypterOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("cookie encrypter: %w", err)
	}
	return &sealer{enc: enc, key: key}, nil
}

// sealedClaims wrap what a cookie holds with its expiry and purpose, so that
// a flow cookie cannot be presented as a session.
type sealedClaims[T any] struct {
	jwt.Claims
	Value T `json:"v"`
}

func (s *sealer) seal(purpose string, v any, expires time.Time) (string, error) {
	return jwt.Encrypted(s.enc).Claims(sealedClaims[any]{
		Claims: jwt.Claims{Subject: purpose, Expiry: jwt.NewNumericDate(expires)},
		Value:  v,
	}).Serialize()
}

var errBadCookie = errors.New("cookie not valid")

// open decrypts a value sealed for purpose; anything else (tampered, another
// purpose, expired) is errBadCookie.
func open[T any](s *sealer, purpose, token string, now time.Time) (T, error) {
	var out sealedClaims[T]
	tok, err := jwt.ParseEncrypted(token, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return out.Value, errBadCookie
	}
	if err := tok.Claims(s.key, &out); err != nil {
		return out.Value, errBadCookie
	}
	if err := out.Claims.ValidateWithLeeway(jwt.Expected{Subject: purpose, Time: now}, 0); err != nil {
		return out.Value, errBadCookie
	}
	return out.Value, nil
}

// cookieJar writes the console's cookies with the attributes a reviewer
// expects: HttpOnly, SameSite=Lax (the sign-in callbacks arrive as
// top-level GETs from Slack and Salesforce), Secure unless the console is
// served over plain HTTP on loopback.
type cookieJar struct {
	secure bool
	sealer *sealer
	now    func() time.Time
}

func (j cookieJar) set(w http.ResponseWriter, name, purpose string, v any, ttl time.Duration) error {
	expires := j.now().Add(ttl)
	token, err := j.sealer.seal(purpose, v, expires)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: token, Path: "/", Expires: expires, MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: j.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (j cookieJar) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: j.secure, SameSite: http.SameSiteLaxMode})
}

func readCookie[T any](j cookieJar, r *http.Request, name, purpose string) (T, bool) {
	var zero T
	c, err := r.Cookie(name)
	if err != nil {
		return zero, false
	}
	v, err := open[T](j.sealer, purpose, c.Value, j.now())
	if err != nil {
		return zero, false
	}
	return v, true
}
