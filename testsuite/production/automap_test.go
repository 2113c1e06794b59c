package production

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// generated is how many members (and matching acme users) the sandbox
// adds: the automatic mapping maps them, the CSV job imports them.
const generated = 5000

// Automatic mapping, chosen in Step 1, links every generated member to
// their acme user by email once the connection is active, on the
// PostgreSQL store.
func testAutomaticMapping(t *testing.T) {
	if _, err := topo.sandbox.Generate(sandbox.GenerateRequest{Team: demoWorkspace, Members: generated, Org: "acme", Users: generated, Match: 1}); err != nil {
		t.Fatal(err)
	}
	must(t, "connect", "request", "--workspace", demoWorkspace, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01")
	must(t, with(acme, "connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	must(t, with(acme, "connect", "activate", "--as", "U0OWNER01")...)
	var c workflows.Connection
	eventually(t, 3*time.Minute, func() error {
		c = decodeConnection(t, must(t, with(acme, "connect", "status", "--output", "json")...))
		if c.AutoMapRun == nil || c.AutoMapRun.Running || !c.AutoMapRun.Done {
			return fmt.Errorf("automatic mapping not done: %+v", c.AutoMapRun)
		}
		return nil
	})
	if c.State != model.StateActive || c.AutoMapRun.Error != "" || c.AutoMapRun.Linked < generated {
		t.Fatalf("automatic mapping: %s (%+v), connection %s", c.AutoMapRun.Summary(), c.AutoMapRun, c.State)
	}
	t.Logf("automatic mapping: %s, in %s", c.AutoMapRun.Summary(), c.AutoMapRun.FinishedAt.Sub(c.AutoMapRun.StartedAt).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, topo.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	auto := 0
	if err := st.ListMappings(ctx, c.ID, nil, func(m store.Mapping) error {
		if m.Source == store.SourceAuto && m.State == store.StateLinked {
			auto++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if auto != c.AutoMapRun.Linked {
		t.Fatalf("the store has %d automatic links; the run says it made %d", auto, c.AutoMapRun.Linked)
	}
}
