package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/salesforce"
)

// threePages answers a query in three pages chained by nextRecordsUrl.
func threePages(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			restError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
			return
		}
		user := func(n int) map[string]any {
			return map[string]any{"Id": fmt.Sprintf("00500000000000%dAAA", n), "Username": fmt.Sprintf("u%d@acme.example", n),
				"IsActive": n%2 == 0, "Profile": map[string]any{"attributes": map[string]string{"type": "Profile"}, "Name": "Standard User"}}
		}
		switch r.URL.Path {
		case "/services/data/v62.0/query":
			if got := r.URL.Query().Get("q"); got != "SELECT Id, Username, IsActive, Profile.Name FROM User" {
				t.Errorf("q = %q", got)
			}
			records(w, 5, "/services/data/v62.0/query/01gLOC-2", user(1), user(2))
		case "/services/data/v62.0/query/01gLOC-2":
			records(w, 5, "/services/data/v62.0/query/01gLOC-4", user(3), user(4))
		case "/services/data/v62.0/query/01gLOC-4":
			records(w, 5, "", user(5))
		default:
			restError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		}
	}
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	f := newFakeOrgs(t, threePages(t))
	c := f.client("https://acme.my.salesforce.com")
	var pages [][]string
	err := c.Query(context.Background(), "SELECT Id, Username, IsActive, Profile.Name FROM User", 200, func(recs []json.RawMessage) error {
		var ids []string
		for _, r := range recs {
			var u struct{ Id string }
			if err := json.Unmarshal(r, &u); err != nil {
				return err
			}
			ids = append(ids, u.Id)
		}
		pages = append(pages, ids)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || len(pages[0]) != 2 || len(pages[1]) != 2 || len(pages[2]) != 1 || pages[2][0] != "005000000000005AAA" {
		t.Fatalf("pages = %v", pages)
	}

	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 1 token + 3 pages: %+v", len(reqs), reqs)
	}
	tok := reqs[0]
	if tok.Method != http.MethodPost || tok.Path != "/services/oauth2/token" ||
		tok.Form.Get("grant_type") != "client_credentials" || tok.Form.Get("client_id") != "cid" || tok.Form.Get("client_secret") != "secret" {
		t.Errorf("token request = %+v, want client credentials in the form", tok)
	}
	for _, r := range reqs {
		if r.Host != "acme.my.salesforce.com" || r.TLS {
			t.Errorf("%s %s reached the server as Host %q (TLS %v), want the My Domain over plain HTTP", r.Method, r.Path, r.Host, r.TLS)
		}
	}
	for _, r := range reqs[1:] {
		if r.Auth != "Bearer tok-1" || r.Header.Get("Sforce-Query-Options") != "batchSize=200" {
			t.Errorf("%s: Authorization %q, Sforce-Query-Options %q", r.Path, r.Auth, r.Header.Get("Sforce-Query-Options"))
		}
	}
}

func TestQueryStopsWithPageError(t *testing.T) {
	f := newFakeOrgs(t, threePages(t))
	c := f.client("https://acme.my.salesforce.com")
	stop := errors.New("enough")
	calls := 0
	err := c.Query(context.Background(), "SELECT Id, Username, IsActive, Profile.Name FROM User", 0, func([]json.RawMessage) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("err = %v after %d pages, want the page's own error after 1", err, calls)
	}
	if n := len(f.apiRequests()); n != 1 {
		t.Errorf("%d query requests after the page refused, want 1", n)
	}
	if h := f.apiRequests()[0].Header.Get("Sforce-Query-Options"); h != "" {
		t.Errorf("batch size 0 sent Sforce-Query-Options %q", h)
	}
}

func TestQueryEachDecodes(t *testing.T) {
	f := newFakeOrgs(t, threePages(t))
	c := f.client("acme.lightning.force.com")
	var users []salesforce.User
	batches := 0
	err := salesforce.QueryEach(context.Background(), c, "SELECT Id, Username, IsActive, Profile.Name FROM User", 5000,
		func(batch []salesforce.User) error {
			batches++
			users = append(users, batch...)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if batches != 3 || len(users) != 5 {
		t.Fatalf("%d batches, %d users", batches, len(users))
	}
	u := users[1]
	if u.Id != "005000000000002AAA" || u.Username != "u2@acme.example" || !u.IsActive || u.Profile.Name != "Standard User" {
		t.Errorf("users[1] = %+v", u)
	}
	if h := f.apiRequests()[0].Header.Get("Sforce-Query-Options"); h != "batchSize=2000" {
		t.Errorf("batch size 5000 sent as %q, want Salesforce's maximum", h)
	}
}

func TestQueryRefusesForeignNextRecordsURL(t *testing.T) {
	for _, next := range []string{"https://evil.example/services/data/v62.0/query/01g", "//evil.example/x", "/services/apexrest/steal", "/services/data/../../x"} {
		f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) {
			records(w, 2, next, map[string]any{"Id": "1"})
		})
		err := f.client("https://acme.my.salesforce.com").Query(context.Background(), "SELECT Id FROM User", 0, func([]json.RawMessage) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "refusing to follow nextRecordsUrl") {
			t.Errorf("nextRecordsUrl %q: err = %v", next, err)
		}
		if n := len(f.apiRequests()); n != 1 {
			t.Errorf("nextRecordsUrl %q: %d API requests, want only the first", next, n)
		}
	}
}

func TestSandboxModeNamesEachMyDomain(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) {
		records(w, 1, "", map[string]any{"Id": "00D000000000001AAA", "Name": r.Host})
	})
	fac := f.factory()
	for _, in := range []string{"https://acme.my.salesforce.com", "https://acme--uat.sandbox.lightning.force.com/lightning/page/home"} {
		c, err := fac.Org(in)
		if err != nil {
			t.Fatal(err)
		}
		org, err := c.Organization(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if org.Name != c.MyDomain().Host {
			t.Errorf("%s: the server saw Host %q, want %q", in, org.Name, c.MyDomain().Host)
		}
	}
	a, _ := fac.Org("https://acme.lightning.force.com")
	b, _ := fac.Org(" ACME.my.salesforce.com/ ")
	if a != b {
		t.Error("two URLs of one My Domain gave two Clients")
	}
	hosts := map[string]int{}
	for _, r := range f.requests() {
		hosts[r.Host]++
	}
	if hosts["acme.my.salesforce.com"] != 2 || hosts["acme--uat.sandbox.my.salesforce.com"] != 2 || len(hosts) != 2 {
		t.Errorf("requests by Host = %v, want a token and a query for each org", hosts)
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) {
		records(w, 1, "", map[string]any{"Id": "00D000000000001AAA"})
	})
	c := f.client("https://acme.my.salesforce.com")
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := c.Organization(context.Background())
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := f.tokens.Load(); n != 1 {
		t.Errorf("%d tokens issued for 20 concurrent calls, want 1", n)
	}
}
