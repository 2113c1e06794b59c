package sandbox_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/sandbox"
)

func TestSOQLDemoData(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	acme := clientCredentials(t, srv, "")

	org := soql(t, srv, "", acme, "SELECT Id, Name, InstanceName, IsSandbox, OrganizationType FROM Organization")
	if org.TotalSize != 1 || org.Records[0]["Id"] != sandbox.AcmeOrgID || org.Records[0]["InstanceName"] != "NA1" || org.Records[0]["IsSandbox"] != false {
		t.Errorf("acme organization: %+v", org.Records)
	}
	attrs := org.Records[0]["attributes"].(map[string]any)
	if attrs["type"] != "Organization" || attrs["url"] != "/services/data/v62.0/sobjects/Organization/"+sandbox.AcmeOrgID {
		t.Errorf("attributes: %v", attrs)
	}
	for host, want := range map[string]string{"agency.my.salesforce.mil": "USGOV1", "fedsales.my.salesforce.com": "USGOV2"} {
		tok := clientCredentials(t, srv, host)
		if r := soql(t, srv, host, tok, "select instancename from organization"); r.Records[0]["InstanceName"] != want {
			t.Errorf("%s: %+v", host, r.Records)
		}
	}

	// Case-insensitive email equality; the stored case is returned.
	r := soql(t, srv, "", acme, "SELECT Id, Email, FederationIdentifier FROM User WHERE Email = 'member3@acme.example'")
	if r.TotalSize != 1 || r.Records[0]["Email"] != "Member3@ACME.example" || r.Records[0]["FederationIdentifier"] != "member3" {
		t.Errorf("member3: %+v", r.Records)
	}
	// Two active users share member8's email.
	r = soql(t, srv, "", acme, "SELECT Username FROM User WHERE Email = 'MEMBER8@acme.example' AND IsActive = true")
	if r.TotalSize != 2 {
		t.Errorf("member8: %+v", r.Records)
	}
	r = soql(t, srv, "", acme, "SELECT Username, IsActive FROM User WHERE FederationIdentifier IN ('member9', 'member1')")
	if r.TotalSize != 2 || r.Records[0]["Username"] != "member1@acme.example" || r.Records[1]["IsActive"] != false {
		t.Errorf("IN: %+v", r.Records)
	}

	// A long IN list (matched through a set) is as case-insensitive as a
	// short one, and NOT IN is its complement.
	long := "'MEMBER3@acme.example', 'member9@ACME.EXAMPLE'"
	for i := range 30 {
		long += fmt.Sprintf(", 'nobody%d@acme.example'", i)
	}
	r = soql(t, srv, "", acme, "SELECT Username FROM User WHERE Email IN ("+long+") ORDER BY Username")
	if r.TotalSize != 2 || r.Records[0]["Username"] != "member3@acme.example" || r.Records[1]["Username"] != "member9@acme.example" {
		t.Errorf("long IN: %+v", r.Records)
	}
	all := soql(t, srv, "", acme, "SELECT Id FROM User")
	r = soql(t, srv, "", acme, "SELECT Id FROM User WHERE Email NOT IN ("+long+")")
	if r.TotalSize != all.TotalSize-2 {
		t.Errorf("long NOT IN: %d of %d users", r.TotalSize, all.TotalSize)
	}

	// Relationship fields render as nested records.
	r = soql(t, srv, "", acme, "SELECT Id, Username, Profile.Name FROM User WHERE Username = 'admin@acme.example'")
	if r.TotalSize != 1 || r.Records[0]["Id"] != "005000000000001AAA" {
		t.Fatalf("admin: %+v", r.Records)
	}
	profile := r.Records[0]["Profile"].(map[string]any)
	if profile["Name"] != "System Administrator" || profile["attributes"].(map[string]any)["type"] != "Profile" {
		t.Errorf("Profile: %v", profile)
	}
	r = soql(t, srv, "", acme, "SELECT Username FROM User WHERE Profile.Name = 'System Administrator' AND IsActive = true")
	if r.TotalSize != 1 || r.Records[0]["Username"] != "admin@acme.example" {
		t.Errorf("active sysadmins: %+v", r.Records)
	}
	r = soql(t, srv, "", acme, "SELECT AssigneeId, Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment WHERE PermissionSet.Name = 'ManageSlackConnections'")
	if r.TotalSize != 1 || r.Records[0]["Assignee"].(map[string]any)["Username"] != "slackmgr@acme.example" {
		t.Errorf("permission set: %+v", r.Records)
	}

	// Other operators, escapes, ordering, limits, COUNT().
	r = soql(t, srv, "", acme, `SELECT Id FROM User WHERE Name = 'O\'Brien' OR (Username != 'x' AND Username = 'user@acme.example')`)
	if r.TotalSize != 1 {
		t.Errorf("escape/or: %+v", r.Records)
	}
	r = soql(t, srv, "", acme, "SELECT Username FROM User WHERE FederationIdentifier != null ORDER BY Username DESC LIMIT 3")
	if r.TotalSize != 3 || r.Records[0]["Username"] != "member9@acme.example" || r.Records[2]["Username"] != "member8@acme.example" {
		t.Errorf("order by desc: %+v", r.Records)
	}
	r = soql(t, srv, "", acme, "SELECT COUNT() FROM User WHERE IsActive = false")
	if r.TotalSize != 2 || len(r.Records) != 0 {
		t.Errorf("count: %+v", r)
	}

	locked := clientCredentials(t, srv, "locked.my.salesforce.com")
	if r := soql(t, srv, "locked.my.salesforce.com", locked, "SELECT Id, StartAddress, EndAddress FROM LoginIpRange"); r.TotalSize != 2 {
		t.Errorf("locked ranges: %+v", r)
	}
	if r := soql(t, srv, "", acme, "SELECT Id FROM LoginIpRange"); r.TotalSize != 0 {
		t.Errorf("acme ranges: %+v", r)
	}

	// Any API version; the record URL works.
	resp, b := do(t, srv, sfRequest{token: acme, path: "/services/data/v58.0/sobjects/User/005000000000001AAA"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"Username":"admin@acme.example"`) || !strings.Contains(string(b), "/v58.0/") {
		t.Errorf("retrieve: %d %s", resp.StatusCode, b)
	}
	resp, _ = do(t, srv, sfRequest{token: acme, path: "/services/data/latest/query?q=SELECT+Id+FROM+User"})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad version: %d", resp.StatusCode)
	}
}

func TestSOQLErrors(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	tok := clientCredentials(t, srv, "")
	for q, want := range map[string]string{
		"SELECT Id FROM Usr":                                "INVALID_TYPE",
		"SELECT Id, Foo FROM User":                          "INVALID_FIELD",
		"SELECT Id FROM User WHERE Bar = 'x'":               "INVALID_FIELD",
		"SELECT Profile.Nope FROM User":                     "INVALID_FIELD",
		"SELECT Manager.Name FROM User":                     "INVALID_FIELD",
		"SELECT Id FROM User WHERE IsActive = 'true'":       "INVALID_FIELD",
		"SELECT Id FROM User WHERE Email = true":            "INVALID_FIELD",
		"SELECT Id FROM User ORDER BY Nope":                 "INVALID_FIELD",
		"SELECT FROM User":                                  "MALFORMED_QUERY",
		"SELECT Id User":                                    "MALFORMED_QUERY",
		"SELECT Id FROM User WHERE":                         "MALFORMED_QUERY",
		"SELECT Id FROM User WHERE Email = 'unterminated":   "MALFORMED_QUERY",
		"SELECT Id FROM User WHERE Email IN ('a',)":         "MALFORMED_QUERY",
		"SELECT Id FROM User LIMIT x":                       "MALFORMED_QUERY",
		"SELECT Id FROM User WHERE Email = 'a' trailing":    "MALFORMED_QUERY",
		"SELECT Id, Id FROM User":                           "MALFORMED_QUERY",
		"SELECT Id FROM User WHERE Email ~ 'a'":             "MALFORMED_QUERY",
		`SELECT Id FROM User WHERE Email = 'bad \q escape'`: "MALFORMED_QUERY",
		"DELETE FROM User":                                  "MALFORMED_QUERY",
		"":                                                  "MALFORMED_QUERY",
	} {
		status, code := soqlError(t, srv, tok, q)
		if status != http.StatusBadRequest || code != want {
			t.Errorf("%q: %d %s, want 400 %s", q, status, code, want)
		}
	}
}

func TestSOQLPagingOverGeneratedUsers(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	res, err := sb.Generate(sandbox.GenerateRequest{Org: "org01", Users: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if res.TotalUsers != 5002 || !strings.HasPrefix(res.FirstUserID, "0059") {
		t.Fatalf("generate: %+v", res)
	}
	host := "org01.my.salesforce.com"
	tok := clientCredentials(t, srv, host)

	// nextRecordsUrl paging, with the batch size header.
	for _, batch := range []int{0, 1000} {
		hdr := map[string]string{}
		if batch > 0 {
			hdr["Sforce-Query-Options"] = fmt.Sprintf("batchSize=%d", batch)
		}
		path := "/services/data/v62.0/query?q=" + url.QueryEscape("SELECT Id, Username, Profile.Name FROM User")
		seen := map[string]bool{}
		pages := 0
		for path != "" {
			resp, b := do(t, srv, sfRequest{host: host, token: tok, path: path, header: hdr})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("page %d: %d %s", pages, resp.StatusCode, b)
			}
			var r queryResult
			mustJSON(t, b, &r)
			pages++
			if r.TotalSize != 5002 {
				t.Fatalf("totalSize %d", r.TotalSize)
			}
			for _, rec := range r.Records {
				seen[rec["Id"].(string)] = true
			}
			if r.Done != (r.NextRecordsURL == "") {
				t.Fatalf("done=%v with nextRecordsUrl %q", r.Done, r.NextRecordsURL)
			}
			if !r.Done && !strings.HasPrefix(r.NextRecordsURL, "/services/data/v62.0/query/01g") {
				t.Fatalf("nextRecordsUrl %q", r.NextRecordsURL)
			}
			path = r.NextRecordsURL
		}
		wantPages := 3
		if batch == 1000 {
			wantPages = 6
		}
		if len(seen) != 5002 || pages != wantPages {
			t.Errorf("batch %d: %d distinct records in %d pages", batch, len(seen), pages)
		}
	}

	// Keyset paging on Id.
	last, total, pages := "", 0, 0
	for {
		q := "SELECT Id FROM User ORDER BY Id LIMIT 2000"
		if last != "" {
			q = fmt.Sprintf("SELECT Id FROM User WHERE Id > '%s' ORDER BY Id LIMIT 2000", last)
		}
		r := soql(t, srv, host, tok, q)
		pages++
		total += len(r.Records)
		if len(r.Records) < 2000 {
			break
		}
		last = r.Records[len(r.Records)-1]["Id"].(string)
	}
	if total != 5002 || pages != 3 {
		t.Errorf("keyset: %d records in %d pages", total, pages)
	}

	// A locator is only good on its own org, a made-up one is refused, and
	// locators expire 15 minutes after their last use.
	first := soql(t, srv, host, tok, "SELECT Id FROM User")
	org2 := "org02.my.salesforce.com"
	for _, p := range []struct{ host, token, path string }{
		{host, tok, "/services/data/v62.0/query/01gNOPE-2000"},
		{host, tok, "/services/data/v62.0/query/garbage"},
		{org2, clientCredentials(t, srv, org2), first.NextRecordsURL},
	} {
		resp, b := do(t, srv, sfRequest{host: p.host, token: p.token, path: p.path})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "INVALID_QUERY_LOCATOR") {
			t.Errorf("%s: %d %s", p.path, resp.StatusCode, b)
		}
	}
	if resp, _ := do(t, srv, sfRequest{host: host, token: tok, path: first.NextRecordsURL}); resp.StatusCode != http.StatusOK {
		t.Errorf("locator on its own org: %d", resp.StatusCode)
	}
	sandbox.SetClock(sb, func() time.Time { return time.Now().Add(16 * time.Minute) })
	if resp, _ := do(t, srv, sfRequest{host: host, token: tok, path: first.NextRecordsURL}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("expired locator: %d", resp.StatusCode)
	}
}
