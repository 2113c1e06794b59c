package codec

import (
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

// CheckExposure refuses to serve on an address beyond loopback without
// tokens: on loopback only this machine's users (the default run's Web UI
// and CLI) reach it; anywhere else anyone on the network would.
func CheckExposure(addr string, tokens []string) error {
	if len(tokens) > 0 || loopback(addr) {
		return nil
	}
	return fmt.Errorf("the codec server would listen on %s, beyond loopback, and decrypt for anyone who reaches it: set %s (bearer tokens its clients send), or listen on 127.0.0.1", addr, EnvTokens)
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

// requireBearer serves next only for requests that carry one of tokens as
// a bearer token; with no tokens it serves everyone (loopback, see
// CheckExposure). Tokens are compared by their hashes in constant time, so
// neither their content nor their length leaks through timing.
func requireBearer(tokens []string, next http.Handler) http.Handler {
	if len(tokens) == 0 {
		return next
	}
	sums := make([][32]byte, len(tokens))
	for i, t := range tokens {
		sums[i] = sha256.Sum256([]byte(t))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		match := 0
		for _, s := range sums {
			match |= subtle.ConstantTimeCompare(sum[:], s[:])
		}
		if !ok || match != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sfconnect codec"`)
			http.Error(w, "this codec server needs a bearer token (Authorization: Bearer TOKEN; the temporal CLI: --codec-auth \"Bearer TOKEN\")", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
