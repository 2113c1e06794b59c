package identity

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Peek reads a token's id and expiry without verifying it: what a
// workflow needs to keep its record of the step assertions already used.
// It is deterministic (no clock, no randomness, no I/O), so workflow code
// may call it; nothing it returns may be trusted before Verify. ok is false
// when token is not a compact JWS whose payload has an id and an expiry.
//
// It decodes the payload with the standard library rather than go-jose,
// whose JSON decoder workflowcheck cannot prove deterministic; it checks
// no signature, so there is nothing here to get wrong.
func Peek(token string) (id string, expires time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", time.Time{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", time.Time{}, false
	}
	var claims struct {
		ID     string  `json:"jti"`
		Expiry float64 `json:"exp"`
	}
	// workflowcheck follows encoding/json's reflection into the runtime's
	// garbage collector and calls it non-deterministic; decoding bytes into
	// a struct is not.
	err = json.Unmarshal(raw, &claims) //workflowcheck:ignore
	if err != nil || claims.ID == "" || claims.Expiry <= 0 {
		return "", time.Time{}, false
	}
	return claims.ID, time.Unix(int64(claims.Expiry), 0).UTC(), true
}
