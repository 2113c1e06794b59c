package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/sandbox"
)

func TestControlAPI(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)

	resp, b := do(t, srv, sfRequest{path: "/sandbox/health"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"ok":true`) {
		t.Errorf("health: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, srv, sfRequest{path: "/sandbox/orgs"})
	var orgs struct {
		Orgs []struct {
			Name        string `json:"name"`
			ID          string `json:"id"`
			InstanceURL string `json:"instance_url"`
			IPRanges    int    `json:"login_ip_ranges"`
		}
	}
	mustJSON(t, b, &orgs)
	if resp.StatusCode != http.StatusOK || len(orgs.Orgs) != 30 {
		t.Fatalf("orgs: %d %d", resp.StatusCode, len(orgs.Orgs))
	}
	ids := map[string]bool{}
	for _, o := range orgs.Orgs {
		if len(o.ID) != 18 || !strings.HasPrefix(o.ID, "00D") || ids[o.ID] {
			t.Errorf("org id %q", o.ID)
		}
		ids[o.ID] = true
		if o.Name == "locked" && o.IPRanges != 2 {
			t.Errorf("locked has %d ranges", o.IPRanges)
		}
	}
	if orgs.Orgs[0].Name != "acme" || orgs.Orgs[0].ID != sandbox.AcmeOrgID || orgs.Orgs[29].InstanceURL != "https://org25.my.salesforce.com" {
		t.Errorf("orgs: %+v", orgs.Orgs)
	}

	resp, _ = postJSON(t, srv, "/sandbox/orgs/nope/ip-enforce", `{"on":true}`)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown org: %d", resp.StatusCode)
	}
	resp, _ = postJSON(t, srv, "/sandbox/orgs/locked/ip-enforce", `{}`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("ip-enforce without on: %d", resp.StatusCode)
	}
	resp, _ = postJSON(t, srv, "/sandbox/orgs/org01/rename", `{"new_name":"org02"}`)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("rename onto a taken name: %d", resp.StatusCode)
	}
	resp, _ = postJSON(t, srv, "/sandbox/orgs/org01/explode", `{}`)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown action: %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, sfRequest{path: "/sandbox/nope"})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
	resp, b = do(t, srv, sfRequest{path: "/sandbox/stats"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"control_requests"`) {
		t.Errorf("stats: %d %s", resp.StatusCode, b)
	}
}
