package orgurl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/orgurl"
)

func TestParseAccepts(t *testing.T) {
	prod := orgurl.MyDomain{Name: "acme", Host: "acme.my.salesforce.com"}
	uat := orgurl.MyDomain{Name: "acme--uat", Partition: "sandbox", Host: "acme--uat.sandbox.my.salesforce.com"}
	partitioned := func(name, partition string) orgurl.MyDomain {
		return orgurl.MyDomain{Name: name, Partition: partition, Host: name + "." + partition + ".my.salesforce.com"}
	}
	tests := []struct {
		name string
		in   string
		want orgurl.MyDomain
	}{
		{"production", "https://acme.my.salesforce.com", prod},
		{"trailing slash", "https://acme.my.salesforce.com/", prod},
		{"lightning path", "https://acme.my.salesforce.com/lightning/page/home", prod},
		{"query and fragment", "https://acme.my.salesforce.com/?a=b#frag", prod},
		{"query without path", "https://acme.my.salesforce.com?x=1", prod},
		{"upper case", "HTTPS://ACME.My.SalesForce.COM/Home", prod},
		{"surrounding spaces", "  \thttps://acme.my.salesforce.com \n", prod},
		{"no scheme", "acme.my.salesforce.com", prod},
		{"no scheme with path", "acme.my.salesforce.com/lightning", prod},
		{"scheme-relative", "//acme.my.salesforce.com", prod},
		{"trailing dot", "https://acme.my.salesforce.com./", prod},
		{"sandbox", "https://acme--uat.sandbox.my.salesforce.com", uat},
		{"sandbox upper case", "https://ACME--UAT.SANDBOX.MY.SALESFORCE.COM", uat},
		{"develop", "https://x.develop.my.salesforce.com", partitioned("x", "develop")},
		{"dev-ed beyond 40", "https://" + strings.Repeat("a", 40) + "-dev-ed.develop.my.salesforce.com", partitioned(strings.Repeat("a", 40)+"-dev-ed", "develop")},
		{"scratch", "https://power-velocity-1234-dev-ed.scratch.my.salesforce.com", partitioned("power-velocity-1234-dev-ed", "scratch")},
		{"demo", "https://acme.demo.my.salesforce.com", partitioned("acme", "demo")},
		{"patch", "https://acme.patch.my.salesforce.com", partitioned("acme", "patch")},
		{"trailblaze", "https://curious-bear.trailblaze.my.salesforce.com", partitioned("curious-bear", "trailblaze")},
		{"free", "https://acme.free.my.salesforce.com", partitioned("acme", "free")},
		{"lightning", "https://acme.lightning.force.com", prod},
		{"lightning with path", "https://acme.lightning.force.com/lightning/page/home", prod},
		{"lightning sandbox", "https://acme--uat.sandbox.lightning.force.com/", uat},
		{"lightning develop", "https://x.develop.lightning.force.com", partitioned("x", "develop")},
		{"setup host", "https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home", prod},
		{"name of 40", "https://" + strings.Repeat("b", 40) + ".my.salesforce.com", orgurl.MyDomain{Name: strings.Repeat("b", 40), Host: strings.Repeat("b", 40) + ".my.salesforce.com"}},
		{"digits and hyphens", "https://acme-2-eu.my.salesforce.com", orgurl.MyDomain{Name: "acme-2-eu", Host: "acme-2-eu.my.salesforce.com"}},
		{"at sign in the path only", "https://acme.my.salesforce.com/@evil.example", prod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orgurl.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.URL() != "https://"+tt.want.Host {
				t.Errorf("URL() = %q", got.URL())
			}
			again, err := orgurl.Parse(got.URL())
			if err != nil || again != got {
				t.Errorf("Parse(%q) = %+v, %v; want it to give itself back", got.URL(), again, err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// reason is a fragment of Error.Reason that tells this refusal
		// apart from the others.
		reason string
		gov    bool
	}{
		{"empty", "", "empty", false},
		{"spaces only", "   ", "empty", false},
		{"garbage", "not a url at all", "spaces", false},
		{"garbage without spaces", "%%%", "invalid host name", false},
		{"bad scheme syntax", "1http://acme.my.salesforce.com", "not a URL", false},
		{"http", "http://acme.my.salesforce.com", "https:// only", false},
		{"http upper case", "HTTP://acme.my.salesforce.com", "https:// only", false},
		{"ftp", "ftp://acme.my.salesforce.com", `scheme "ftp"`, false},
		{"javascript", "javascript:alert(1)", "invalid host name", false},
		{"mistyped scheme", "https:acme.my.salesforce.com", "malformed", false},
		{"no host", "https://", "no host", false},
		{"no host with path", "https:///lightning", "no host", false},
		{"IPv4", "https://10.0.0.1", "IP address", false},
		{"IPv4 shorthand", "https://127.1/", "IP address", false},
		{"IPv6", "https://[::1]/", "IP address", false},
		{"port", "https://acme.my.salesforce.com:8443", "port", false},
		{"port 443", "https://acme.my.salesforce.com:443/", "port", false},
		{"empty port", "https://acme.my.salesforce.com:/", "port", false},
		{"userinfo", "https://user@acme.my.salesforce.com", "user@host", false},
		{"userinfo with password", "https://user:pw@acme.my.salesforce.com", "user@host", false},
		{"userinfo hiding the host", "https://acme.my.salesforce.com@evil.example", "user@host", false},
		{"backslash trick", `https://evil.example\.my.salesforce.com`, "not a Salesforce address", false},
		{"other host", "https://evil.example", "not a Salesforce address", false},
		{"other host path", "https://example.com/acme.my.salesforce.com", "not a Salesforce address", false},
		{"lookalike suffix", "https://my.salesforce.com.evil.example", "imitates", false},
		{"lookalike with name", "https://acme.my.salesforce.com.evil.example/", "imitates", false},
		{"lookalike hyphen", "https://acme-my.salesforce.com", "not a My Domain", false},
		{"lookalike glued", "https://acmemy.salesforce.com", "not a My Domain", false},
		{"lookalike force", "https://acme.lightning-force.com", "imitates", false},
		{"bare my domain suffix", "https://my.salesforce.com", "no My Domain name", false},
		{"bare lightning", "https://lightning.force.com", "no My Domain name", false},
		{"partition without name", "https://sandbox.my.salesforce.com", "no My Domain name", false},
		{"login host", "https://login.salesforce.com", "enter your My Domain URL", false},
		{"test host", "test.salesforce.com/", "enter your My Domain URL", false},
		{"classic instance", "https://na1.salesforce.com/home/home.jsp", "instance host", false},
		{"classic sandbox instance", "https://cs42.salesforce.com", "instance host", false},
		{"visualforce host", "https://acme--c.vf.force.com", "not a My Domain", false},
		{"unknown partition", "https://acme--uat.cs42.my.salesforce.com", "unknown partition", false},
		{"too many labels", "https://a.b.c.my.salesforce.com", "too many labels", false},
		{"sandbox without its name", "https://acme.sandbox.my.salesforce.com", "without its sandbox name", false},
		{"double hyphen in production", "https://acme--uat.my.salesforce.com", `"--"`, false},
		{"double hyphen twice", "https://a--b--c.sandbox.my.salesforce.com", "sandbox name", false},
		{"triple hyphen", "https://acme---uat.sandbox.my.salesforce.com", "sandbox name", false},
		{"sandbox name too long", "https://acme--abcdefghijk.sandbox.my.salesforce.com", "sandbox name", false},
		{"name too long", "https://" + strings.Repeat("a", 41) + ".my.salesforce.com", "longer than 40", false},
		{"leading hyphen", "https://-acme.my.salesforce.com", "invalid host name", false},
		{"underscore", "https://ac_me.my.salesforce.com", "invalid host name", false},
		{"empty label", "https://acme..my.salesforce.com", "invalid host name", false},
		{"unicode", "https://ácme.my.salesforce.com", "invalid host name", false},
		{"percent-encoded host", "https://acme%2emy.salesforce.com", "invalid host name", false},
		{"inner space", "https://acme .my.salesforce.com", "spaces", false},
		{"gov mil", "https://agency.my.salesforce.mil", "Government Cloud", true},
		{"gov mil lightning", "https://agency.lightning.force.mil/lightning/page/home", "Government Cloud", true},
		{"gov mil crmforce", "agency.lightning.crmforce.mil", "Government Cloud", true},
		{"gov -gov.com", "https://agency.my.salesforce-gov.com", "Government Cloud", true},
		{"gov lightning -gov.com", "https://agency.lightning.force-gov.com", "Government Cloud", true},
		{"gov upper case", "HTTPS://AGENCY.MY.SALESFORCE.MIL/", "Government Cloud", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orgurl.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, got)
			}
			if got != (orgurl.MyDomain{}) {
				t.Errorf("Parse(%q) returned %+v with its error", tt.in, got)
			}
			e, ok := errors.AsType[*orgurl.Error](err)
			if !ok {
				t.Fatalf("Parse(%q): %T %v, want *orgurl.Error", tt.in, err, err)
			}
			if e.Input != tt.in {
				t.Errorf("Input = %q, want %q", e.Input, tt.in)
			}
			if !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("Parse(%q) reason %q, want it to contain %q", tt.in, e.Reason, tt.reason)
			}
			if errors.Is(err, orgurl.ErrGovernmentCloud) != tt.gov {
				t.Errorf("errors.Is(%v, ErrGovernmentCloud) = %v, want %v", err, !tt.gov, tt.gov)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			if tt.gov {
				if !strings.Contains(msg, "cannot be connected to Slack") {
					t.Errorf("message %q does not say Government Cloud orgs cannot be connected", msg)
				}
			} else if !strings.Contains(msg, "expected https://NAME.my.salesforce.com") {
				t.Errorf("message %q does not give the expected form", msg)
			}
		})
	}
}

func TestErrorMessageNamesTheInput(t *testing.T) {
	_, err := orgurl.Parse("http://acme.my.salesforce.com")
	want := `Salesforce org URL "http://acme.my.salesforce.com" refused: it uses http://, and Salesforce orgs are reached over https:// only; expected https://NAME.my.salesforce.com (a sandbox: https://NAME--SANDBOX.sandbox.my.salesforce.com)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	_, err = orgurl.Parse(strings.Repeat("x", 500))
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("a long input should be shortened in the message: %v", err)
	}
}

func TestIsGovernmentCloudHost(t *testing.T) {
	for host, want := range map[string]bool{
		"agency.my.salesforce.mil":          true,
		"AGENCY.MY.SALESFORCE.MIL.":         true,
		"agency.my.salesforce.mil:443":      true,
		"agency.lightning.force.mil":        true,
		"agency.my.salesforce-gov.com":      true,
		"agency.lightning.force-gov.com":    true,
		"acme.my.salesforce.com":            false,
		"salesforce.mil.example":            false,
		"notsalesforce.mil":                 false,
		"agency.my.salesforce-gov.com.evil": false,
		"":                                  false,
	} {
		if got := orgurl.IsGovernmentCloudHost(host); got != want {
			t.Errorf("IsGovernmentCloudHost(%q) = %v, want %v", host, got, want)
		}
	}
}
