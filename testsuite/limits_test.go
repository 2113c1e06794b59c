package testsuite

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/workflows"
)

// 25 simultaneous requests for 25 different orgs on one workspace end in
// exactly 20 connections and 5 refusals that name the limit.
func TestTwentyOrgLimitUnderConcurrency(t *testing.T) {
	const ws = "T0DEMO0002"
	results := make([]result, 25)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i] = run(t, "connect", "request", "--workspace", ws,
				"--org-url", fmt.Sprintf("https://org%02d.my.salesforce.com", i+1), "--as", "U0OWNER02")
		}(i)
	}
	close(start)
	wg.Wait()

	ok, limited := 0, 0
	for i, r := range results {
		switch {
		case r.code == starter.ExitOK:
			ok++
		case r.code == starter.ExitRefused && strings.Contains(r.err, "20 Salesforce orgs"):
			limited++
		default:
			t.Errorf("request %d: %s", i+1, r)
		}
	}
	if ok != 20 || limited != 5 {
		t.Fatalf("%d connected, %d refused for the limit; want 20 and 5", ok, limited)
	}
	v, err := env.Client.QueryWorkflow(t.Context(), workflows.WorkspaceWorkflowID(ws), "", workflows.QueryConnections)
	if err != nil {
		t.Fatal(err)
	}
	var reg workflows.Workspace
	if err := v.Get(&reg); err != nil {
		t.Fatal(err)
	}
	if len(reg.Connections) != 20 {
		t.Fatalf("the registry holds %d connections", len(reg.Connections))
	}
	// A 21st stays refused; freeing a slot lets it in.
	mustRefuse(t, "20 Salesforce orgs", "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER02")
	var freed string
	for _, ref := range reg.Connections {
		freed = ref.OrgName
		break
	}
	mustRun(t, "connect", "disconnect", "--workspace", ws, "--org", freed, "--as", "U0OWNER02", "--yes")
	// The registry hears of the disconnect by signal, a moment later.
	eventually(t, 10*time.Second, func() error {
		if r := run(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme--uat.sandbox.my.salesforce.com", "--as", "U0OWNER02"); r.code != 0 {
			return fmt.Errorf("after a disconnect, a request should fit: %s", r)
		}
		return nil
	})
}

func TestRequestRefusalsOverHTTP(t *testing.T) {
	const ws = "T0DEMO0001"
	req := func(url, as string) []string {
		return []string{"connect", "request", "--workspace", ws, "--org-url", url, "--as", as}
	}
	mustRefuse(t, "Government Cloud", req("https://agency.my.salesforce.mil", "U0OWNER01")...)
	mustRefuse(t, "Government Cloud", req("https://fedsales.my.salesforce.com", "U0OWNER01")...)
	mustRefuse(t, "evil.example", req("https://acme.my.salesforce.com.evil.example", "U0OWNER01")...)
	mustRefuse(t, "https", req("http://acme.my.salesforce.com", "U0OWNER01")...)
	mustRefuse(t, "no Salesforce org answers", req("https://nosuchorg.my.salesforce.com", "U0OWNER01")...)
	mustRefuse(t, "U0MEMBER1", req("https://org01.my.salesforce.com", "U0MEMBER1")...)
	mustRefuse(t, "U0OWNER02", req("https://org01.my.salesforce.com", "U0OWNER02")...) // a member of another workspace
	mustRefuse(t, "T0NOSUCH1", "connect", "request", "--workspace", "T0NOSUCH1", "--org-url", "https://org01.my.salesforce.com", "--as", "U0OWNER01")

	for _, args := range [][]string{
		{"connect", "request", "--workspace", ws, "--org-url", "https://org01.my.salesforce.com"},                          // no --as
		{"connect", "request", "--workspace", "acme", "--org-url", "https://org01.my.salesforce.com", "--as", "U0OWNER01"}, // not a team id
		{"connect", "request", "--workspace", ws, "--org-url", "https://org01.my.salesforce.com", "--as", "U0OWNER01", "--mapping-field", "phone"},
		{"connect", "approve", "--workspace", ws, "--org", "acme", "--matching-field", "Phone", "--as", "admin@acme.example"},
		{"connect", "list", "--state", "sleeping"},
		{"connect", "status", "--workspace", ws},
		{"connect", "bogus"},
		{"connect", "list", "--output", "yaml"},
	} {
		if r := run(t, args...); r.code != starter.ExitUsage {
			t.Errorf("starter %s: want exit 2\n%s", strings.Join(args, " "), r)
		}
	}
	// Nothing of the above connected org01 to the workspace.
	if s, ok := listed(t, ws, "org01"); ok {
		t.Errorf("a refused request left a connection (%s)", s)
	}
}
