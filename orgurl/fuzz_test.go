package orgurl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/orgurl"
)

// FuzzParse checks Parse's promises on any input: it never panics, it
// refuses with an *orgurl.Error, and what it accepts is a host under
// .my.salesforce.com that parses back to itself. The seed corpus is in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("https://acme.my.salesforce.com")
	f.Add("acme--uat.sandbox.lightning.force.com/lightning/page/home")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := orgurl.Parse(in)
		if err != nil {
			if _, ok := errors.AsType[*orgurl.Error](err); !ok {
				t.Fatalf("Parse(%q) error %T, want *orgurl.Error", in, err)
			}
			if d != (orgurl.MyDomain{}) {
				t.Fatalf("Parse(%q) returned %+v with an error", in, d)
			}
			return
		}
		if !strings.HasSuffix(d.Host, orgurl.Suffix) {
			t.Fatalf("Parse(%q).Host = %q, not under %s", in, d.Host, orgurl.Suffix)
		}
		want := d.Name
		if d.Partition != "" {
			want += "." + d.Partition
		}
		if d.Host != want+orgurl.Suffix || d.Name == "" || d.Name != strings.ToLower(d.Name) {
			t.Fatalf("Parse(%q) = %+v is inconsistent", in, d)
		}
		if orgurl.IsGovernmentCloudHost(d.Host) {
			t.Fatalf("Parse(%q) accepted a Government Cloud host %q", in, d.Host)
		}
		again, err := orgurl.Parse(d.URL())
		if err != nil || again != d {
			t.Fatalf("Parse(%q) = %+v, but Parse(%q) = %+v, %v", in, d, d.URL(), again, err)
		}
	})
}
