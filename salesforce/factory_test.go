package salesforce_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/sfconnect/sfconnect/orgurl"
)

func TestOrgRefusesForeignHostsBeforeAnyRequest(t *testing.T) {
	f := newFakeOrgs(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("request to %s%s", r.Host, r.URL) })
	fac := f.factory()
	for _, in := range []string{
		"https://evil.example",
		"https://acme.my.salesforce.com.evil.example",
		"http://acme.my.salesforce.com",
		"https://127.0.0.1:7070",
		"https://login.salesforce.com",
		"https://agency.my.salesforce.mil",
	} {
		c, err := fac.Org(in)
		if err == nil || c != nil {
			t.Errorf("Org(%q) = %v, %v; want a refusal", in, c, err)
			continue
		}
		if _, ok := errors.AsType[*orgurl.Error](err); !ok {
			t.Errorf("Org(%q): %v does not wrap orgurl's error", in, err)
		}
	}
	if _, err := fac.Org("https://agency.my.salesforce.mil"); !errors.Is(err, orgurl.ErrGovernmentCloud) {
		t.Errorf("a .mil org: %v, want ErrGovernmentCloud", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("the server saw %d requests", n)
	}
}
