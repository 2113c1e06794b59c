package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/sandbox"
)

// The scale the sandbox is built for: a million members and a million
// users. Run with: go test -run '^$' -bench . -benchtime 1x ./sandbox/

func BenchmarkGenerateMillion(b *testing.B) {
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{Seed: 1})
		before := heapMB()
		start := time.Now()
		if _, err := sb.Generate(sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 1_000_000, Org: "acme", Users: 1_000_000, Match: 0.9}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/generate")
		b.ReportMetric(heapMB()-before, "heapMB")
		runtime.KeepAlive(sb)
	}
}

func BenchmarkMillionRequests(b *testing.B) {
	sb := sandbox.New(sandbox.Options{Seed: 1})
	if _, err := sb.Generate(sandbox.GenerateRequest{Team: sandbox.DemoTeamID, Members: 1_000_000, Org: "acme", Users: 1_000_000, Match: 0.9}); err != nil {
		b.Fatal(err)
	}
	h := sb.Handler()
	serve := func(b *testing.B, r *http.Request) {
		w := &discard{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			b.Fatalf("%s: %d", r.URL, w.status)
		}
	}
	tok := sandbox.BotToken(sandbox.DemoTeamID)
	req := func(path string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	b.Run("users.list deep page of 1000", func(b *testing.B) {
		// Slack cursors are opaque; this one is the sandbox's for "after
		// member U1000900000", 900,000 members deep.
		cursor := base64.StdEncoding.EncodeToString([]byte("user:U1000900000"))
		for b.Loop() {
			serve(b, req("/api/users.list?limit=1000&cursor="+url.QueryEscape(cursor)))
		}
	})
	b.Run("users.lookupByEmail", func(b *testing.B) {
		for b.Loop() {
			serve(b, req("/api/users.lookupByEmail?email=gen777777@acme.example"))
		}
	})
	sfTok := benchToken(b, h)
	soqlReq := func(q string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/services/data/v62.0/query?q="+url.QueryEscape(q), nil)
		r.Header.Set("Authorization", "Bearer "+sfTok)
		return r
	}
	for name, q := range map[string]string{
		"SOQL Email equality":       "SELECT Id, Username, FederationIdentifier FROM User WHERE Email = 'GEN777777@acme.example' AND IsActive = true",
		"SOQL keyset page of 2000":  "SELECT Id, Email, FederationIdentifier FROM User WHERE Id > '005900000500000AAA' ORDER BY Id LIMIT 2000",
		"SOQL full first page":      "SELECT Id, Email FROM User",
		"SOQL FederationIdentifier": fmt.Sprintf("SELECT Id FROM User WHERE FederationIdentifier IN ('gen%d', 'gen%d')", 5, 900000),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				serve(b, soqlReq(q))
			}
		})
	}
}

func benchToken(b *testing.B, h http.Handler) string {
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/services/oauth2/token",
		strings.NewReader("grant_type=client_credentials&client_id=a&client_secret=b"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := &discard{header: http.Header{}, keep: true}
	h.ServeHTTP(w, r)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.body, &tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token: %s %v", w.body, err)
	}
	return tok.AccessToken
}

// discard is a ResponseWriter that keeps only the status (and the body when
// asked), so that benchmarks measure the sandbox rather than the network.
type discard struct {
	header http.Header
	status int
	keep   bool
	body   []byte
}

func (d *discard) Header() http.Header { return d.header }
func (d *discard) WriteHeader(s int)   { d.status = s }
func (d *discard) Write(p []byte) (int, error) {
	if d.keep {
		d.body = append(d.body, p...)
	}
	return len(p), nil
}
