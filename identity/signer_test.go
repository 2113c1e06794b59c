package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newTestSigner(t *testing.T, key []byte) *Signer {
	t.Helper()
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func approval() Claims {
	return Claims{Side: SideSalesforce, Subject: "005000000000001AAA", Org: "00D000000000001AAA", Name: "Ada Admin",
		Workflow: "sfconnect-connection-T0DEMO0001-00D000000000001AAA", Step: "approve"}
}

func TestAssertionRoundTrip(t *testing.T) {
	s := newTestSigner(t, testKey)
	before := time.Now().Truncate(time.Second)
	tok, err := s.Assert(approval(), 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := approval()
	if got.Side != want.Side || got.Subject != want.Subject || got.Org != want.Org || got.Name != want.Name ||
		got.Workflow != want.Workflow || got.Step != want.Step || got.Login || got.Kind() != KindAssertion {
		t.Fatalf("verified claims %+v, want %+v", got, want)
	}
	if got.ID == "" || got.IssuedAt.Before(before) || got.Expires.Sub(got.IssuedAt) != AssertionTTL {
		t.Fatalf("id %q, issued %v, expires %v: want an id and the default five minutes", got.ID, got.IssuedAt, got.Expires)
	}
	other, _ := s.Assert(approval(), 0)
	if id, _, _ := Peek(other); id == got.ID {
		t.Fatal("two assertions share an id")
	}
}

func TestLoginTokenRoundTrip(t *testing.T) {
	s := newTestSigner(t, testKey)
	tok, err := s.LoginToken(Claims{Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Verify(tok, time.Now().Add(11*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Login || c.Kind() != KindLogin || c.Subject != "U0OWNER01" || c.Team != "T0DEMO0001" || c.Expires.Sub(c.IssuedAt) != LoginTTL {
		t.Fatalf("login claims %+v", c)
	}
	if _, err := s.LoginToken(approval(), 0); err == nil {
		t.Fatal("a login token bound to a step was signed")
	}
}

func TestSignRefusesIncompleteClaims(t *testing.T) {
	s := newTestSigner(t, testKey)
	for name, c := range map[string]Claims{
		"no workflow":     {Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Step: "activate"},
		"no step":         {Side: SideSlack, Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "w"},
		"no side":         {Subject: "U0OWNER01", Team: "T0DEMO0001", Workflow: "w", Step: "activate"},
		"no subject":      {Side: SideSlack, Team: "T0DEMO0001", Workflow: "w", Step: "activate"},
		"slack, no team":  {Side: SideSlack, Subject: "U0OWNER01", Workflow: "w", Step: "activate"},
		"salesforce, org": {Side: SideSalesforce, Subject: "005000000000001AAA", Workflow: "w", Step: "approve"},
	} {
		if _, err := s.Assert(c, 0); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := NewSigner(testKey[:31]); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("a 31-byte key: %v", err)
	}
}

func TestVerifyRefusesForgedAndForeignTokens(t *testing.T) {
	s := newTestSigner(t, testKey)
	tok, err := s.Assert(approval(), 0)
	if err != nil {
		t.Fatal(err)
	}
	other := newTestSigner(t, []byte("another key, 32 bytes long......"))
	foreign, _ := other.Assert(approval(), 0)
	parts := strings.Split(tok, ".")
	for name, tc := range map[string]struct {
		token string
		want  error
	}{
		"signed with another key": {foreign, ErrForged},
		"signature altered":       {parts[0] + "." + parts[1] + "." + flip(parts[2]), ErrForged},
		"subject changed":         {parts[0] + "." + tamper(t, parts[1], "sub", "005000000000002AAA") + "." + parts[2], ErrForged},
		"step changed":            {parts[0] + "." + tamper(t, parts[1], "step", "reject") + "." + parts[2], ErrForged},
		"login claimed":           {parts[0] + "." + tamper(t, parts[1], "login", true) + "." + parts[2], ErrForged},
		"no signature":            {parts[0] + "." + parts[1] + ".", ErrForged},
		"alg none":                {noneHeader() + "." + parts[1] + ".", ErrMalformed},
		"not a token":             {"U0OWNER01", ErrMalformed},
		"empty":                   {"", ErrMalformed},
	} {
		_, err := s.Verify(tc.token, time.Time{})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "sign in again in the console or run `starter login") {
			t.Errorf("%s: the message does not say what to do: %v", name, err)
		}
	}
}

func TestVerifyChecksTheLifetime(t *testing.T) {
	s := newTestSigner(t, testKey)
	tok, _ := s.Assert(approval(), time.Minute)
	_, exp, _ := Peek(tok)
	if _, err := s.Verify(tok, exp.Add(Leeway-time.Second)); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	_, err := s.Verify(tok, exp.Add(Leeway+time.Second))
	if !errors.Is(err, ErrExpired) || !strings.Contains(err.Error(), "starter login salesforce") {
		t.Fatalf("after expiry: %v", err)
	}
	if _, err := s.Verify(tok, time.Now().Add(-time.Hour)); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("an hour before its issue: %v", err)
	}
}

// A token signed with our key but not shaped as ours (another issuer,
// no expiry, a step assertion without its binding) is refused.
func TestVerifyRefusesIncompleteTokens(t *testing.T) {
	s := newTestSigner(t, testKey)
	now := time.Now()
	base := jwt.Claims{Issuer: Issuer, Subject: "U0OWNER01", ID: "x", IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}
	bound := extra{Side: SideSlack, Team: "T0DEMO0001", Workflow: "w", Step: "activate"}
	for name, tc := range map[string]struct {
		std jwt.Claims
		ext extra
	}{
		"another issuer":    {with(base, func(c *jwt.Claims) { c.Issuer = "someone-else" }), bound},
		"no expiry":         {with(base, func(c *jwt.Claims) { c.Expiry = nil }), bound},
		"no id":             {with(base, func(c *jwt.Claims) { c.ID = "" }), bound},
		"no binding":        {base, extra{Side: SideSlack, Team: "T0DEMO0001"}},
		"login with a step": {base, extra{Side: SideSlack, Team: "T0DEMO0001", Workflow: "w", Step: "activate", Login: true}},
		"no team":           {base, extra{Side: SideSlack, Workflow: "w", Step: "activate"}},
	} {
		tok, err := jwt.Signed(s.signer).Claims(tc.std).Claims(tc.ext).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verify(tok, time.Time{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestPeek(t *testing.T) {
	s := newTestSigner(t, testKey)
	tok, _ := s.Assert(approval(), 0)
	c, _ := s.Verify(tok, time.Time{})
	id, exp, ok := Peek(tok)
	if !ok || id != c.ID || !exp.Equal(c.Expires) {
		t.Fatalf("Peek = %q %v %v, Verify = %q %v", id, exp, ok, c.ID, c.Expires)
	}
	// Deterministic: the same answer every time, whatever the clock.
	if id2, exp2, ok2 := Peek(tok); id2 != id || !exp2.Equal(exp) || !ok2 {
		t.Fatal("Peek changed its answer")
	}
	// It does not verify: a forged token peeks the same (Verify refuses it).
	other := newTestSigner(t, []byte("another key, 32 bytes long......"))
	forged, _ := other.Assert(approval(), 0)
	if _, _, ok := Peek(forged); !ok {
		t.Fatal("Peek verified the signature")
	}
	for _, bad := range []string{"", "U0OWNER01", "a.b.c", noneHeader() + ".e30."} {
		if _, _, ok := Peek(bad); ok {
			t.Errorf("Peek(%q) ok", bad)
		}
	}
}

func with(c jwt.Claims, f func(*jwt.Claims)) jwt.Claims {
	f(&c)
	return c
}

// tamper sets one claim of a payload segment, keeping the signature.
func tamper(t *testing.T, segment, key string, value any) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	out, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(out)
}

func flip(sig string) string {
	b, _ := base64.RawURLEncoding.DecodeString(sig)
	b[0] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

func noneHeader() string {
	h, _ := json.Marshal(map[string]string{"alg": string(jose.SignatureAlgorithm("none")), "typ": "JWT"})
	return base64.RawURLEncoding.EncodeToString(h)
}
