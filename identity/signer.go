package identity

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// MinKeySize is the shortest signing key accepted: HS256 is as strong as
// its key, and 32 bytes is SHA-256's own size (RFC 7518 section 3.2).
const MinKeySize = 32

// algorithms are the only ones a token may name: a token that asks for
// another ("none", RS256 with our key as a public key…) does not parse.
var algorithms = []jose.SignatureAlgorithm{jose.HS256}

// Signer signs and verifies proofs with one shared HMAC key. The console
// signs (Assert), `starter login` will ask for login tokens (LoginToken),
// the worker verifies (Verify). A Signer is safe for concurrent use.
type Signer struct {
	key    []byte
	signer jose.Signer
}

// NewSigner returns a Signer for key, which must be at least MinKeySize
// bytes (config.Config.SigningKey gives it).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("identity: the signing key is %d bytes; it needs at least %d (SFCONNECT_SIGNING_KEY: base64 of 32 random bytes, e.g. `openssl rand -base64 32`)", len(key), MinKeySize)
	}
	k := append([]byte(nil), key...)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("identity: signer: %w", err)
	}
	return &Signer{key: k, signer: sig}, nil
}

// String names the Signer without its key, so that it may be logged.
func (s *Signer) String() string { return "identity.Signer(HS256)" }

// GoString keeps %#v from printing the key.
func (s *Signer) GoString() string { return s.String() }

// extra are the claims JWT does not register.
type extra struct {
	Side     Side   `json:"side"`
	Team     string `json:"team,omitempty"`
	Org      string `json:"org,omitempty"`
	Name     string `json:"name,omitempty"`
	Workflow string `json:"wf,omitempty"`
	Step     string `json:"step,omitempty"`
	Login    bool   `json:"login,omitempty"`
}

// Assert signs a step assertion: c's identity, bound to c.Workflow and
// c.Step, for ttl (AssertionTTL when ttl <= 0). It sets ID, IssuedAt and
// Expires; Login is ignored.
func (s *Signer) Assert(c Claims, ttl time.Duration) (string, error) {
	if c.Workflow == "" || c.Step == "" {
		return "", fmt.Errorf("identity: a step assertion needs the workflow id and the step it is for (got workflow %q, step %q)", c.Workflow, c.Step)
	}
	c.Login = false
	return s.sign(c, ttl, AssertionTTL)
}

// LoginToken signs a login token: c's identity, bound to no workflow or
// step, for ttl (LoginTTL when ttl <= 0). It sets ID, IssuedAt, Expires
// and Login.
func (s *Signer) LoginToken(c Claims, ttl time.Duration) (string, error) {
	if c.Workflow != "" || c.Step != "" {
		return "", errors.New("identity: a login token is bound to no workflow or step: use Assert for a step")
	}
	c.Login = true
	return s.sign(c, ttl, LoginTTL)
}

func (s *Signer) sign(c Claims, ttl, def time.Duration) (string, error) {
	if err := complete(c); err != nil {
		return "", fmt.Errorf("identity: %w", err)
	}
	if ttl <= 0 {
		ttl = def
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	// JWT times have whole seconds: round here, so that the claims the
	// caller could keep are the ones Verify will give back.
	now := time.Now().Truncate(time.Second)
	std := jwt.Claims{
		Issuer: Issuer, Subject: c.Subject, ID: id,
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(ttl)),
	}
	ext := extra{Side: c.Side, Team: c.Team, Org: c.Org, Name: c.Name, Workflow: c.Workflow, Step: c.Step, Login: c.Login}
	tok, err := jwt.Signed(s.signer).Claims(std).Claims(ext).Serialize()
	if err != nil {
		return "", fmt.Errorf("identity: sign: %w", err)
	}
	return tok, nil
}

// complete checks that c names a whole identity: a side, a subject, and the
// workspace (Slack) or org (Salesforce) of the sign-in.
func complete(c Claims) error {
	switch {
	case !c.Side.Valid():
		return fmt.Errorf("side %q is neither %s nor %s", c.Side, SideSlack, SideSalesforce)
	case c.Subject == "":
		return errors.New("no subject (the Slack member id or Salesforce user id)")
	case c.Side == SideSlack && c.Team == "":
		return errors.New("a Slack identity needs the team id of the sign-in")
	case c.Side == SideSalesforce && c.Org == "":
		return errors.New("a Salesforce identity needs the org id of the sign-in")
	}
	return nil
}

func newID() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: token id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Verify checks a proof: its signature (HS256 with this Signer's key, by
// go-jose), its issuer, its lifetime at now (the zero time: the time now)
// within Leeway, and that it names a whole identity and, for a step
// assertion, a workflow and a step. It says nothing of whether the proof
// fits a step: see Claims.Check. Errors wrap the sentinels of this package.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	if now.IsZero() {
		now = time.Now()
	}
	tok, err := jwt.ParseSigned(token, algorithms)
	if err != nil {
		return Claims{}, refusal(ErrMalformed, "", "expected a JWT signed with HS256")
	}
	var std jwt.Claims
	var ext extra
	if err := tok.Claims(s.key, &std, &ext); err != nil {
		// The side is read unverified, only to say which sign-in to redo.
		var unsure extra
		_ = tok.UnsafeClaimsWithoutVerification(&unsure)
		return Claims{}, refusal(ErrForged, unsure.Side, "this worker did not sign it (or it was altered)")
	}
	if std.Issuer != Issuer || std.Expiry == nil || std.IssuedAt == nil || std.ID == "" {
		return Claims{}, refusal(ErrInvalid, ext.Side, "it lacks the issuer, id, issue or expiry time of an sfconnect proof")
	}
	c := Claims{
		Side: ext.Side, Subject: std.Subject, Team: ext.Team, Org: ext.Org, Name: ext.Name,
		Workflow: ext.Workflow, Step: ext.Step, ID: std.ID, Login: ext.Login,
		IssuedAt: std.IssuedAt.Time().UTC(), Expires: std.Expiry.Time().UTC(),
	}
	switch err := std.ValidateWithLeeway(jwt.Expected{Issuer: Issuer, Time: now}, Leeway); {
	case errors.Is(err, jwt.ErrExpired):
		return Claims{}, refusal(ErrExpired, c.Side, "it expired at %s", c.Expires.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrIssuedInTheFuture), errors.Is(err, jwt.ErrNotValidYet):
		return Claims{}, refusal(ErrNotYetValid, c.Side, "it was issued at %s, after this worker's time: check the clocks", c.IssuedAt.UTC().Format(time.RFC3339))
	case err != nil:
		return Claims{}, refusal(ErrInvalid, c.Side, "%v", err)
	}
	if err := complete(c); err != nil {
		return Claims{}, refusal(ErrInvalid, c.Side, "%v", err)
	}
	if !c.Login && (c.Workflow == "" || c.Step == "") {
		return Claims{}, refusal(ErrInvalid, c.Side, "a step assertion must name its workflow and its step")
	}
	if c.Login && (c.Workflow != "" || c.Step != "") {
		return Claims{}, refusal(ErrInvalid, c.Side, "a login token must not name a workflow or step")
	}
	return c, nil
}
