package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sfconnect/sfconnect/salesforce"
)

const objectPermsPath = "/services/data/v62.0/sobjects/ObjectPermissions"

// posted is a POST the fake API received, with its body.
type posted struct {
	auth, contentType string
	body              map[string]any
}

// postRecorder answers POSTs with answer and remembers them.
type postRecorder struct {
	t      *testing.T
	mu     sync.Mutex
	posts  []posted
	answer func(w http.ResponseWriter, n int)
}

func (p *postRecorder) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != objectPermsPath {
		p.t.Errorf("unexpected %s %s", r.Method, r.URL)
		restError(w, http.StatusNotFound, "NOT_FOUND", "no")
		return
	}
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		p.t.Errorf("body %q: %v", b, err)
	}
	p.mu.Lock()
	p.posts = append(p.posts, posted{auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: body})
	n := len(p.posts)
	p.mu.Unlock()
	p.answer(w, n)
}

func (p *postRecorder) all() []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

func newPostFake(t *testing.T, answer func(w http.ResponseWriter, n int)) (*fakeOrgs, *postRecorder) {
	p := &postRecorder{t: t, answer: answer}
	return newFakeOrgs(t, p.serve), p
}

func TestAddObjectPermissionPostsJSON(t *testing.T) {
	f, p := newPostFake(t, func(w http.ResponseWriter, n int) {
		writeJSON(w, http.StatusCreated, map[string]any{"id": "110000000000009AAA", "success": true, "errors": []any{}})
	})
	err := f.client("https://acme.my.salesforce.com").AddObjectPermission(context.Background(), "0PS000000000002AAA", "Invoice__c")
	if err != nil {
		t.Fatal(err)
	}
	posts := p.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	got := posts[0]
	want := map[string]any{"ParentId": "0PS000000000002AAA", "SobjectType": "Invoice__c", "PermissionsRead": true}
	if got.auth != "Bearer tok-1" || got.contentType != "application/json" || len(got.body) != 3 {
		t.Errorf("posted %+v", got)
	}
	for k, v := range want {
		if got.body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, got.body[k], v)
		}
	}
	if r := f.apiRequests()[0]; r.Host != "acme.my.salesforce.com" || r.TLS {
		t.Errorf("request went to %s (TLS %v)", r.Host, r.TLS)
	}
}

func TestAddObjectPermissionDuplicateIsDone(t *testing.T) {
	f, _ := newPostFake(t, func(w http.ResponseWriter, n int) {
		restError(w, http.StatusBadRequest, "DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record with id: 110000000000001AAA")
	})
	if err := f.client("https://acme.my.salesforce.com").AddObjectPermission(context.Background(), "0PS000000000002AAA", "Account"); err != nil {
		t.Errorf("a duplicate: %v, want nil", err)
	}
}

func TestAddObjectPermissionRefused(t *testing.T) {
	f, _ := newPostFake(t, func(w http.ResponseWriter, n int) {
		restError(w, http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", "Invalid SobjectType: Nope__c")
	})
	err := f.client("https://acme.my.salesforce.com").AddObjectPermission(context.Background(), "0PS000000000002AAA", "Nope__c")
	e, ok := errors.AsType[*salesforce.APIError](err)
	if !ok || e.StatusCode != 400 || e.Code != "FIELD_INTEGRITY_EXCEPTION" || e.Op != "AddObjectPermission" || salesforce.Retryable(err) {
		t.Fatalf("err = %v, want a non-retryable 400 APIError", err)
	}
	want := "salesforce AddObjectPermission on acme.my.salesforce.com: HTTP 400 FIELD_INTEGRITY_EXCEPTION: Invalid SobjectType: Nope__c"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
}

func TestAddObjectPermissionRefreshesTheSessionOnce(t *testing.T) {
	f, p := newPostFake(t, func(w http.ResponseWriter, n int) {
		if n == 1 {
			restError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": "110000000000009AAA", "success": true, "errors": []any{}})
	})
	if err := f.client("https://acme.my.salesforce.com").AddObjectPermission(context.Background(), "0PS000000000002AAA", "Asset"); err != nil {
		t.Fatal(err)
	}
	posts := p.all()
	if len(posts) != 2 || posts[0].auth != "Bearer tok-1" || posts[1].auth != "Bearer tok-2" || posts[1].body["SobjectType"] != "Asset" {
		t.Errorf("posts: %+v", posts)
	}
}

func TestAddObjectPermissionOtherFailures(t *testing.T) {
	ctx := context.Background()
	f, _ := newPostFake(t, func(w http.ResponseWriter, n int) {
		w.Header().Set("Retry-After", "3")
		restError(w, http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", "busy")
	})
	err := f.client("https://acme.my.salesforce.com").AddObjectPermission(ctx, "0PS000000000002AAA", "Asset")
	if !errors.Is(err, salesforce.ErrUnavailable) || !salesforce.Retryable(err) {
		t.Errorf("503: %v, want ErrUnavailable, retryable", err)
	}
	if d, ok := salesforce.RetryAfter(err); !ok || d.Seconds() != 3 {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}

	f, _ = newPostFake(t, func(w http.ResponseWriter, n int) {
		writeJSON(w, http.StatusCreated, map[string]any{"success": false, "errors": []any{map[string]any{"statusCode": "UNKNOWN_EXCEPTION", "message": "odd"}}})
	})
	err = f.client("https://acme.my.salesforce.com").AddObjectPermission(ctx, "0PS000000000002AAA", "Asset")
	if e, ok := errors.AsType[*salesforce.APIError](err); !ok || e.Code != "UNKNOWN_EXCEPTION" || !strings.Contains(err.Error(), "odd") {
		t.Errorf("success false: %v", err)
	}

	f, _ = newPostFake(t, func(w http.ResponseWriter, n int) { t.Error("a request was sent") })
	c := f.client("https://acme.my.salesforce.com")
	if err := c.AddObjectPermission(ctx, "", "Asset"); err == nil {
		t.Error("no set id: nil error")
	}
	if err := c.AddObjectPermission(ctx, "0PS000000000002AAA", ""); err == nil {
		t.Error("no type: nil error")
	}
}

// permSetAPI answers the queries of PermissionSetObjects and ObjectTypes;
// the object types come in two pages.
func permSetAPI(t *testing.T, hasSet bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		switch {
		case q == "SELECT Id FROM PermissionSet WHERE Name = 'SlackIntegration' LIMIT 1":
			if !hasSet {
				records(w, 0, "")
				return
			}
			records(w, 1, "", map[string]any{"Id": "0PS000000000002AAA"})
		case q == "SELECT SobjectType FROM ObjectPermissions WHERE ParentId = '0PS000000000002AAA' ORDER BY SobjectType":
			records(w, 2, "", map[string]any{"SobjectType": "Account"}, map[string]any{"SobjectType": "Case"})
		case q == "SELECT QualifiedApiName FROM EntityDefinition WHERE IsCustomizable = true ORDER BY QualifiedApiName":
			records(w, 3, "/services/data/v62.0/query/01gX-2", map[string]any{"QualifiedApiName": "Account"}, map[string]any{"QualifiedApiName": "Case"})
		case r.URL.Path == "/services/data/v62.0/query/01gX-2":
			records(w, 3, "", map[string]any{"QualifiedApiName": "Invoice__c"})
		default:
			t.Errorf("unexpected %s", r.URL)
			restError(w, http.StatusBadRequest, "MALFORMED_QUERY", "unexpected query "+q)
		}
	}
}

func TestPermissionSetObjectsAndObjectTypes(t *testing.T) {
	ctx := context.Background()
	c := newFakeOrgs(t, permSetAPI(t, true)).client("https://acme.my.salesforce.com")
	id, objs, err := c.PermissionSetObjects(ctx)
	if err != nil || id != "0PS000000000002AAA" || !slices.Equal(objs, []string{"Account", "Case"}) {
		t.Errorf("PermissionSetObjects = %q, %v, %v", id, objs, err)
	}
	types, err := c.ObjectTypes(ctx)
	if err != nil || !slices.Equal(types, []string{"Account", "Case", "Invoice__c"}) {
		t.Errorf("ObjectTypes = %v, %v", types, err)
	}

	none := newFakeOrgs(t, permSetAPI(t, false)).client("https://acme.my.salesforce.com")
	_, _, err = none.PermissionSetObjects(ctx)
	if !errors.Is(err, salesforce.ErrNotFound) || !strings.Contains(err.Error(), "SlackIntegration") {
		t.Errorf("no permission set: %v", err)
	}
}
