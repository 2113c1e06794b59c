package production

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
)

// The server is stopped (SIGTERM) while a connection waits for its
// approval, and started again on the same databases and ports; the running
// workers reconnect by themselves. The approval is still awaited, is given,
// and the connection goes on to active, visible in the list.
func testServerRestartMidApproval(t *testing.T) {
	org03 := []string{"--workspace", demoWorkspace, "--org", "org03"}
	c := decodeConnection(t, must(t, "connect", "request", "--workspace", demoWorkspace, "--org-url", "https://org03.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01", "--output", "json"))
	if c.State != model.StatePendingApproval {
		t.Fatalf("requested: %+v", c)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	topo.server.stop()
	if err := topo.server.start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("the Temporal server restarted on %s in %s", topo.server.hostPort, time.Since(began).Round(100*time.Millisecond))
	for _, w := range topo.workers {
		if !w.running() {
			t.Fatalf("worker %s exited when the server restarted (see %s)", w.name, w.logFile)
		}
	}

	// A worker answers the status query once it has reconnected.
	eventually(t, time.Minute, func() error {
		r := cli(t, "", with(org03, "connect", "status", "--output", "json")...)
		if r.code != 0 {
			return fmt.Errorf("status after the restart: %s", r)
		}
		if c = decodeConnection(t, r); c.State != model.StatePendingApproval {
			return fmt.Errorf("after the restart: %s, want %s", c.State, model.StatePendingApproval)
		}
		return nil
	})
	c = decodeConnection(t, must(t, with(org03, "connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@org03.example", "--output", "json")...))
	if c.State != model.StatePendingActivation {
		t.Fatalf("approved after the restart: %+v", c)
	}
	must(t, with(org03, "connect", "activate", "--as", "U0OWNER01")...)
	eventually(t, 15*time.Second, func() error {
		r := must(t, "connect", "list", "--workspace", demoWorkspace, "--state", "active", "--output", "json")
		if !strings.Contains(r.out, c.OrgID) {
			return fmt.Errorf("connect list --state active does not show org03 after the restart:\n%s", r.out)
		}
		return nil
	})
}
