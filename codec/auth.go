package codec

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// EnvTokens names the bearer tokens the codec server accepts
// (comma-separated). Outside loopback the server needs at least one: it
// decrypts for whoever reaches it, so whoever reaches it must prove they
// may. Clients send one as `Authorization: Bearer TOKEN` (the temporal
// CLI: --codec-auth "Bearer TOKEN").
const EnvTokens = "SFCONNECT_CODEC_TOKENS"

// ParseTokens splits EnvTokens' value; blanks are dropped.
func ParseTokens(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Auth says who may use the codec server: whoever sends one of Tokens as a
// bearer token, or a bearer token Verifier accepts (the Web UI's forwarded
// OIDC access token, see OIDCVerifier). The zero Auth lets everyone in,
// which only a loopback address may do (CheckExposure).
type Auth struct {
	Tokens   []string
	Verifier BearerVerifier
}

// BearerVerifier accepts or refuses a bearer token it did not issue.
type BearerVerifier interface {
	Verify(ctx context.Context, token string) error
}

func (a Auth) open() bool { return len(a.Tokens) == 0 && a.Verifier == nil }

// CheckExposure refuses to serve on an address beyond loopback without
// authorisation: on loopback only this machine's users (the default run's
// Web UI and CLI) reach it; anywhere else anyone on the network would.
func CheckExposure(addr string, auth Auth) error {
	if !auth.open() || loopback(addr) {
		return nil
	}
	return fmt.Errorf("the codec server would listen on %s, beyond loopback, and decrypt for anyone who reaches it: set %s (bearer tokens its clients send) or %s and %s (the Web UI's forwarded sign-in), or listen on 127.0.0.1",
		addr, EnvTokens, EnvOIDCIssuer, EnvOIDCAudience)
}

// loopback reports whether a listen address binds loopback only: an
// explicit loopback IP or localhost, not the empty host (every interface).
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// requireBearer serves next only for requests that carry a bearer token
// auth accepts; the zero Auth serves everyone (loopback, see
// CheckExposure). Static tokens are compared by their hashes in constant
// time, so neither their content nor their length leaks through timing.
func requireBearer(auth Auth, next http.Handler) http.Handler {
	if auth.open() {
		return next
	}
	sums := make([][32]byte, len(auth.Tokens))
	for i, t := range auth.Tokens {
		sums[i] = sha256.Sum256([]byte(t))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got = strings.TrimSpace(got)
		sum := sha256.Sum256([]byte(got))
		match := 0
		for _, s := range sums {
			match |= subtle.ConstantTimeCompare(sum[:], s[:])
		}
		if ok && got != "" && (match == 1 || auth.Verifier != nil && auth.Verifier.Verify(r.Context(), got) == nil) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="sfconnect codec"`)
		http.Error(w, "this codec server needs a bearer token (Authorization: Bearer TOKEN; the temporal CLI: --codec-auth \"Bearer TOKEN\"; the Web UI: TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true)", http.StatusUnauthorized)
	})
}
