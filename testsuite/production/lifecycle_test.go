package production

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

const (
	demoWorkspace = "T0DEMO0001"
	acmeID        = "00D000000000001AAA"
)

var acme = []string{"--workspace", demoWorkspace, "--org", "acme"}

// with is a command line followed by the flags that name a connection.
func with(org []string, args ...string) []string {
	return append(append([]string{}, args...), org...)
}

// The three steps, a refusal of each, the status and the list, and the
// disconnection, through the CLI, on the production server.
func testLifecycle(t *testing.T) {
	c := decodeConnection(t, must(t, "connect", "request", "--workspace", demoWorkspace, "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01", "--output", "json"))
	if c.OrgID != acmeID || c.State != model.StatePendingApproval {
		t.Fatalf("requested: %+v", c)
	}
	refused(t, "terms of use", with(acme, "connect", "approve", "--matching-field", "Email", "--as", "admin@acme.example")...)
	refused(t, "System Administrator", with(acme, "connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "user@acme.example")...)
	c = decodeConnection(t, must(t, with(acme, "connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example", "--output", "json")...))
	if c.State != model.StatePendingActivation {
		t.Fatalf("approved: %+v", c)
	}
	refused(t, "owner", with(acme, "connect", "activate", "--as", "U0ADMIN01")...)
	must(t, with(acme, "connect", "activate", "--as", "U0SFADM01")...)
	c = decodeConnection(t, must(t, with(acme, "connect", "status", "--output", "json")...))
	if c.State != model.StateActive || len(c.History) < 3 {
		t.Fatalf("status: %+v", c)
	}
	// connect list reads visibility: SQL visibility on PostgreSQL here.
	eventually(t, 15*time.Second, func() error {
		r := must(t, "connect", "list", "--workspace", demoWorkspace, "--state", "active", "--output", "json")
		if !strings.Contains(r.out, acmeID) {
			return fmt.Errorf("connect list --state active does not show acme:\n%s", r.out)
		}
		return nil
	})
	c = decodeConnection(t, cli(t, "y\n", with(acme, "connect", "disconnect", "--as", "U0ADMIN01", "--output", "json")...))
	if c.State != model.StateDisconnected {
		t.Fatalf("disconnected: %+v", c)
	}
	waitEnded(t, workflows.ConnectionWorkflowID(demoWorkspace, acmeID))
}
