package identity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoginFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := LoginPath(func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/nowhere"}[k] })
	if path != filepath.Join(dir, "sfconnect", "login.json") {
		t.Fatalf("path %s", path)
	}
	if got := LoginPath(func(k string) string { return map[string]string{"HOME": "/home/ada"}[k] }); got != "/home/ada/.config/sfconnect/login.json" {
		t.Fatalf("path from HOME: %s", got)
	}
	if got := LoginPath(func(string) string { return "" }); got != "" {
		t.Fatalf("no home: %q", got)
	}
	if l, err := ReadLogins(path); err != nil || l.Slack != nil {
		t.Fatalf("no file yet: %+v %v", l, err)
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	in := Logins{
		Slack: &Login{Token: "slack-token", Subject: "U0OWNER01", Team: "T0DEMO0001", Expires: exp},
		Salesforce: map[string]Login{"00D000000000001AAA": {Token: "sf-token", Subject: "005000000000001AAA", Org: "00D000000000001AAA",
			OrgURL: "https://acme.my.salesforce.com", Username: "admin@acme.example", Expires: exp}},
	}
	if err := WriteLogins(path, in); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	for _, key := range []string{`"slack"`, `"salesforce"`, `"00D000000000001AAA"`, `"token"`, `"subject"`, `"team"`, `"expires"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("the file lacks %s:\n%s", key, raw)
		}
	}
	out, err := ReadLogins(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if l, ok := out.ForSlack("T0DEMO0001", now); !ok || l.Token != "slack-token" {
		t.Fatalf("slack login: %+v %v", l, ok)
	}
	if _, ok := out.ForSlack("T0DEMO0002", now); ok {
		t.Fatal("a login of another workspace was given")
	}
	for _, org := range []string{"00D000000000001AAA", "00D000000000001", "https://acme.my.salesforce.com/"} {
		if l, ok := out.ForSalesforce(org, now); !ok || l.Token != "sf-token" {
			t.Errorf("salesforce login by %s: %+v %v", org, l, ok)
		}
	}
	if _, ok := out.ForSalesforce("00D000000000002AAA", now); ok {
		t.Fatal("a login of another org was given")
	}
	if _, ok := out.ForSlack("T0DEMO0001", exp.Add(time.Second)); ok {
		t.Fatal("an expired login was given")
	}
	sf := out.Salesforce["00D000000000001AAA"]
	if !sf.IsUser(SideSalesforce, "ADMIN@acme.example") || !sf.IsUser(SideSalesforce, "005000000000001") || sf.IsUser(SideSalesforce, "user@acme.example") {
		t.Fatal("IsUser")
	}
}

func TestReadLoginsRefusesAFileOthersCanRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "login.json")
	if err := os.WriteFile(path, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLogins(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a 0644 login file: %v", err)
	}
}
