package sandbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

const objectPermsPath = "/services/data/v62.0/sobjects/ObjectPermissions"

// created is the answer of a record creation: its id, or its first error.
type created struct {
	status    int
	id        string
	code, msg string
	location  string
}

// createRecord POSTs body (as contentType) to path on host as token.
func createRecord(t *testing.T, srv *httptest.Server, host, token, path, contentType, body string) created {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	c := created{status: resp.StatusCode, location: resp.Header.Get("Location")}
	switch resp.StatusCode {
	case http.StatusMovedPermanently:
	case http.StatusCreated:
		var ok struct {
			ID      string `json:"id"`
			Success bool   `json:"success"`
			Errors  []any  `json:"errors"`
		}
		mustJSON(t, b, &ok)
		if !ok.Success || ok.Errors == nil || len(ok.Errors) != 0 {
			t.Errorf("created: %s", b)
		}
		c.id = ok.ID
	default:
		var errs []sfErr
		mustJSON(t, b, &errs)
		if len(errs) != 1 {
			t.Fatalf("%d: want one error, got %s", resp.StatusCode, b)
		}
		c.code, c.msg = errs[0].ErrorCode, errs[0].Message
	}
	return c
}

// grant adds read access to typ to the integration permission set.
func grant(t *testing.T, srv *httptest.Server, host, token, typ string) created {
	t.Helper()
	return createRecord(t, srv, host, token, objectPermsPath, "application/json",
		`{"ParentId":"`+sandbox.IntegrationPermSetID+`","SobjectType":"`+typ+`","PermissionsRead":true}`)
}

// granted lists the object types of the integration permission set.
func granted(t *testing.T, srv *httptest.Server, host, token string) []string {
	t.Helper()
	r := soql(t, srv, host, token, "SELECT Id, SobjectType FROM ObjectPermissions WHERE Parent.Name = 'SlackIntegration' ORDER BY SobjectType")
	var types []string
	for _, rec := range r.Records {
		types = append(types, rec["SobjectType"].(string))
	}
	return types
}

func TestIntegrationPermissionSetDemo(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	for _, host := range []string{"acme.my.salesforce.com", "org25.my.salesforce.com", "acme--uat.sandbox.my.salesforce.com"} {
		tok := clientCredentials(t, srv, host)
		if got := granted(t, srv, host, tok); !slices.Equal(got, []string{"Account", "Case", "Contact", "Lead", "Opportunity"}) {
			t.Errorf("%s: granted %v", host, got)
		}
		ps := soql(t, srv, host, tok, "SELECT Id, Label FROM PermissionSet WHERE Name = 'SlackIntegration'")
		if ps.TotalSize != 1 || ps.Records[0]["Id"] != sandbox.IntegrationPermSetID || ps.Records[0]["Label"] != "Slack Integration" {
			t.Errorf("%s: permission set %+v", host, ps.Records)
		}
		domain := strings.TrimSuffix(strings.Split(host, ".")[0], "--uat")
		a := soql(t, srv, host, tok, "SELECT Id, Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = 'SlackIntegration'")
		if a.TotalSize != 1 || !strings.HasPrefix(a.Records[0]["Assignee"].(map[string]any)["Username"].(string), "integration@"+domain+".example") {
			t.Errorf("%s: assignments %+v", host, a.Records)
		}
	}

	acme := clientCredentials(t, srv, "")
	r := soql(t, srv, "", acme, "SELECT Id, ParentId, SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE ParentId = '"+sandbox.IntegrationPermSetID+"' AND SobjectType = 'case'")
	if r.TotalSize != 1 {
		t.Fatalf("by ParentId: %+v", r)
	}
	rec := r.Records[0]
	if id := rec["Id"].(string); len(id) != 18 || !strings.HasPrefix(id, "110") || rec["ParentId"] != sandbox.IntegrationPermSetID ||
		rec["PermissionsRead"] != true || rec["PermissionsCreate"] != false || rec["PermissionsEdit"] != false {
		t.Errorf("Case permission: %+v", rec)
	}
	// The slackmgr assignment keeps its documented id.
	if m := soql(t, srv, "", acme, "SELECT Id FROM PermissionSetAssignment WHERE PermissionSet.Name = 'ManageSlackConnections'"); m.Records[0]["Id"] != "0Pa000000000001AAA" {
		t.Errorf("ManageSlackConnections assignment: %+v", m.Records)
	}
}

func TestEntityDefinition(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	names := func(host string) map[string]map[string]any {
		tok := clientCredentials(t, srv, host)
		r := soql(t, srv, host, tok, "SELECT QualifiedApiName, Label, IsCustomizable FROM EntityDefinition ORDER BY QualifiedApiName")
		out := map[string]map[string]any{}
		prev := ""
		for _, rec := range r.Records {
			n := rec["QualifiedApiName"].(string)
			if strings.ToLower(n) < strings.ToLower(prev) {
				t.Errorf("%s: %s after %s", host, n, prev)
			}
			prev = n
			out[n] = rec
		}
		return out
	}
	acme := names("acme.my.salesforce.com")
	for _, std := range []string{"Account", "Asset", "Campaign", "Case", "Contact", "Contract", "Lead", "Opportunity", "Order", "Product2", "Quote", "Task", "Event", "User"} {
		if acme[std] == nil || acme[std]["IsCustomizable"] != true {
			t.Errorf("acme %s: %+v", std, acme[std])
		}
	}
	if acme["Invoice__c"]["Label"] != "Invoice" || acme["Shipment__c"] == nil || acme["ApexClass"]["IsCustomizable"] != false {
		t.Errorf("acme customs: %+v %+v %+v", acme["Invoice__c"], acme["Shipment__c"], acme["ApexClass"])
	}
	org01 := names("org01.my.salesforce.com")
	if org01["Project__c"] == nil || org01["Invoice__c"] != nil {
		t.Errorf("org01 customs: %v", org01)
	}

	// A custom object's record is reachable by its DurableId, a standard
	// one's by its name.
	tok := clientCredentials(t, srv, "")
	r := soql(t, srv, "", tok, "SELECT Id, DurableId FROM EntityDefinition WHERE QualifiedApiName = 'Invoice__c'")
	durable := r.Records[0]["DurableId"].(string)
	if !strings.HasPrefix(durable, "01I") || r.Records[0]["Id"] != durable {
		t.Errorf("Invoice__c: %+v", r.Records)
	}
	for _, id := range []string{durable, "Account"} {
		resp, b := do(t, srv, sfRequest{token: tok, path: "/services/data/v62.0/sobjects/EntityDefinition/" + id})
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"QualifiedApiName"`) {
			t.Errorf("retrieve %s: %d %s", id, resp.StatusCode, b)
		}
	}
}

func TestCreateObjectPermission(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	tok := clientCredentials(t, srv, "acme.my.salesforce.com")
	host := "acme.my.salesforce.com"

	c := grant(t, srv, host, tok, "Invoice__c")
	if c.status != http.StatusCreated || len(c.id) != 18 || !strings.HasPrefix(c.id, "110") {
		t.Fatalf("create: %+v", c)
	}
	if got := granted(t, srv, host, tok); !slices.Contains(got, "Invoice__c") || len(got) != 6 {
		t.Errorf("after create: %v", got)
	}
	r := soql(t, srv, host, tok, "SELECT SobjectType, PermissionsRead, Parent.Name FROM ObjectPermissions WHERE Id = '"+c.id+"'")
	if r.TotalSize != 1 || r.Records[0]["PermissionsRead"] != true || r.Records[0]["Parent"].(map[string]any)["Name"] != "SlackIntegration" {
		t.Errorf("created record: %+v", r.Records)
	}
	// Other orgs are untouched.
	org01 := clientCredentials(t, srv, "org01.my.salesforce.com")
	if got := granted(t, srv, "org01.my.salesforce.com", org01); len(got) != 5 {
		t.Errorf("org01: %v", got)
	}

	// The type's case does not matter; the stored name is the API name. A
	// 15-character parent id is the same set.
	c = createRecord(t, srv, host, tok, objectPermsPath, "application/json; charset=UTF-8",
		`{"attributes":{"type":"ObjectPermissions"},"ParentId":"`+sandbox.IntegrationPermSetID[:15]+`","SobjectType":"shipment__c","PermissionsRead":true,"PermissionsEdit":true}`)
	if c.status != http.StatusCreated {
		t.Fatalf("create Shipment__c: %+v", c)
	}
	if got := granted(t, srv, host, tok); !slices.Contains(got, "Shipment__c") {
		t.Errorf("after Shipment__c: %v", got)
	}

	for name, tc := range map[string]struct {
		body, code string
	}{
		"duplicate":          {`{"ParentId":"0PS000000000002AAA","SobjectType":"Account","PermissionsRead":true}`, "DUPLICATE_VALUE"},
		"duplicate any case": {`{"ParentId":"0ps000000000002aaa","SobjectType":"INVOICE__C","PermissionsRead":true}`, "DUPLICATE_VALUE"},
		"unknown type":       {`{"ParentId":"0PS000000000002AAA","SobjectType":"Nope__c","PermissionsRead":true}`, "FIELD_INTEGRITY_EXCEPTION"},
		"not customizable":   {`{"ParentId":"0PS000000000002AAA","SobjectType":"ApexClass","PermissionsRead":true}`, "FIELD_INTEGRITY_EXCEPTION"},
		"edit without read":  {`{"ParentId":"0PS000000000002AAA","SobjectType":"Asset","PermissionsEdit":true}`, "FIELD_INTEGRITY_EXCEPTION"},
		"unknown parent":     {`{"ParentId":"0PS000000000099AAA","SobjectType":"Asset","PermissionsRead":true}`, "INVALID_CROSS_REFERENCE_KEY"},
		"id given":           {`{"Id":"110000000000001AAA","ParentId":"0PS000000000002AAA","SobjectType":"Asset"}`, "INVALID_FIELD_FOR_INSERT_UPDATE"},
		"unknown field":      {`{"ParentId":"0PS000000000002AAA","SobjectType":"Asset","PermissionsDestroy":true}`, "INVALID_FIELD"},
		"missing type":       {`{"ParentId":"0PS000000000002AAA","PermissionsRead":true}`, "REQUIRED_FIELD_MISSING"},
		"string for a bool":  {`{"ParentId":"0PS000000000002AAA","SobjectType":"Asset","PermissionsRead":"yes"}`, "JSON_PARSER_ERROR"},
		"not JSON":           {`ParentId=0PS`, "JSON_PARSER_ERROR"},
	} {
		c := createRecord(t, srv, host, tok, objectPermsPath, "application/json", tc.body)
		if c.status != http.StatusBadRequest || c.code != tc.code || c.msg == "" {
			t.Errorf("%s: %+v, want 400 %s", name, c, tc.code)
		}
	}
	if c := createRecord(t, srv, host, tok, objectPermsPath, "application/json", `{"SobjectType":"Asset"}`); !strings.Contains(c.msg, "[ParentId]") {
		t.Errorf("missing ParentId: %+v", c)
	}
	if got := granted(t, srv, host, tok); len(got) != 7 {
		t.Errorf("refusals changed the set: %v", got)
	}
}

func TestCreateObjectPermissionRefusals(t *testing.T) {
	t.Parallel()
	sb, srv := newServer(t)
	host := "acme.my.salesforce.com"
	tok := clientCredentials(t, srv, host)
	body := `{"ParentId":"0PS000000000002AAA","SobjectType":"Asset","PermissionsRead":true}`

	checks := []struct {
		name        string
		token, path string
		ct          string
		status      int
		code        string
	}{
		{"no token", "", objectPermsPath, "application/json", http.StatusUnauthorized, "INVALID_SESSION_ID"},
		{"form body", tok, objectPermsPath, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"another object", tok, "/services/data/v62.0/sobjects/User", "application/json", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"unknown object", tok, "/services/data/v62.0/sobjects/Nope__c", "application/json", http.StatusNotFound, "NOT_FOUND"},
		{"the query resource", tok, "/services/data/v62.0/query", "application/json", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
	}
	for _, c := range checks {
		got := createRecord(t, srv, host, c.token, c.path, c.ct, body)
		if got.status != c.status || got.code != c.code {
			t.Errorf("%s: %+v, want %d %s", c.name, got, c.status, c.code)
		}
	}

	// A user's own token may read but not change the permission set.
	q := authorizeCode(t, srv, host, "admin@acme.example")
	_, tokBody := exchange(t, srv, host, q.Get("code"))
	userTok := tokBody["access_token"].(string)
	if got := createRecord(t, srv, host, userTok, objectPermsPath, "application/json", body); got.status != http.StatusForbidden || got.code != "INSUFFICIENT_ACCESS_OR_READONLY" {
		t.Errorf("user token: %+v", got)
	}
	if got := granted(t, srv, host, userTok); len(got) != 5 {
		t.Errorf("user token read: %v", got)
	}

	// IP restrictions and a moved My Domain apply to writes too.
	if err := sb.SetIPEnforced("acme", true); err != nil {
		t.Fatal(err)
	}
	if got := grant(t, srv, host, tok, "Asset"); got.status != http.StatusForbidden || got.code != "LOGIN_IP_RESTRICTED" {
		t.Errorf("IP enforced: %+v", got)
	}
	if err := sb.SetIPEnforced("acme", false); err != nil {
		t.Fatal(err)
	}
	if err := sb.RenameOrg("acme", "acme2"); err != nil {
		t.Fatal(err)
	}
	if got := grant(t, srv, host, tok, "Asset"); got.status != http.StatusMovedPermanently || got.location != "https://acme2.my.salesforce.com"+objectPermsPath {
		t.Errorf("renamed: %+v", got)
	}
	if got := grant(t, srv, "acme2.my.salesforce.com", tok, "Asset"); got.status != http.StatusCreated {
		t.Errorf("on the new host: %+v", got)
	}
	st := sb.Stats()
	if st.SalesforceEndpoints["sobjects"] == 0 {
		t.Errorf("stats: %+v", st.SalesforceEndpoints)
	}
}
