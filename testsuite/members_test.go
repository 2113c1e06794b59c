package testsuite

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

func decodeMembers(t *testing.T, r result) map[string]activities.MemberMapping {
	t.Helper()
	var out struct {
		Members []activities.MemberMapping `json:"members"`
	}
	if err := json.Unmarshal([]byte(r.out), &out); err != nil {
		t.Fatalf("members json: %v\n%s", err, r)
	}
	byID := map[string]activities.MemberMapping{}
	for _, m := range out.Members {
		byID[m.SlackUserID] = m
	}
	return byID
}

func decodeProgress(t *testing.T, r result) workflows.AutoMapProgress {
	t.Helper()
	var p workflows.AutoMapProgress
	if err := json.Unmarshal([]byte(r.out), &p); err != nil {
		t.Fatalf("progress json: %v\n%s", err, r)
	}
	return p
}

// The demo directory: members 1–7 match acme's users by email (3 only
// case-insensitively), 8 matches two active users, 9 an inactive one; the
// owner, admin and role holder have no Salesforce user.
func TestMemberMappingEndToEnd(t *testing.T) {
	const ws = "T0DEMO0001"
	org := []string{"--workspace", ws, "--org", "acme"}
	with := func(args ...string) []string { return append(args, org...) }

	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--as", "U0OWNER01")
	mustRefuse(t, "pending_approval", with("members", "add", "--member", "U0MEMBER1", "--as", "U0ADMIN01")...)
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	mustRun(t, with("connect", "activate", "--as", "U0OWNER01")...)

	// Activation started automatic mapping, chosen in Step 1.
	var first workflows.AutoMapProgress
	eventually(t, 30*time.Second, func() error {
		c := decodeConnection(t, mustRun(t, with("connect", "status", "--output", "json")...))
		if c.AutoMapRun == nil || !c.AutoMapRun.Done {
			return fmt.Errorf("automatic mapping not done: %+v", c.AutoMapRun)
		}
		first = *c.AutoMapRun
		return nil
	})
	if first.Linked != 7 || first.Unmatched != 3 || first.Ambiguous != 1 || first.Skipped != 1 || first.Scanned != 12 {
		t.Fatalf("first automatic mapping: %s", first.Summary())
	}

	recordHistory(t, "automap", workflows.AutoMapWorkflowID(ws, "00D000000000001AAA"))
	// A rerun changes nothing that is already right.
	again := decodeProgress(t, mustRun(t, with("members", "automap", "--as", "U0ADMIN01", "--output", "json")...))
	if again.Linked != 0 || again.Unchanged != 7 || again.Ambiguous != 1 {
		t.Fatalf("rerun: %s", again.Summary())
	}
	mustRefuse(t, "U0MEMBER2", with("members", "automap", "--as", "U0MEMBER2")...)

	members := decodeMembers(t, mustRun(t, with("members", "search", "member", "--as", "U0ADMIN01", "--output", "json")...))
	if len(members) != 9 || members["U0MEMBER3"].State != "linked" || members["U0MEMBER8"].State != "unmapped" || members["U0MEMBER9"].State != "unmapped" {
		t.Fatalf("search: %+v", members)
	}
	if m := decodeMembers(t, mustRun(t, with("members", "search", "MEMBER3@acme", "--as", "admin@acme.example", "--output", "json")...)); len(m) != 1 || m["U0MEMBER3"].SalesforceUsername != "member3@acme.example" {
		t.Fatalf("search from the Salesforce side: %+v", m)
	}
	mustRefuse(t, "user@acme.example", with("members", "search", "member", "--as", "user@acme.example")...)

	// Manual mapping of the ambiguous member: invited as member8b, signs in as them.
	before := len(messagesWith("T0DEMO0001", "U0MEMBER8", "invited to link"))
	r := mustRun(t, with("members", "add", "--member", "U0MEMBER8", "--salesforce-user", "member8b@acme.example", "--as", "U0ADMIN01", "--output", "json")...)
	var invited activities.MemberMapping
	if err := json.Unmarshal([]byte(r.out), &invited); err != nil || invited.State != "invited" || invited.InviteExpiresAt.IsZero() {
		t.Fatalf("add: %v %s", err, r)
	}
	// The member's DM carries their personal link to the console, once.
	link := strings.TrimSuffix(env.Config.ConsoleURL, "/") + model.MemberLinkPath("T0DEMO0001", acmeID)
	if got := messagesWith("T0DEMO0001", "U0MEMBER8", "invited to link"); len(got) != before+1 || !strings.Contains(got[before].Text, link) || strings.Contains(got[before].Text, "starter") || buttonsOf(t, got[before])["sfconnect_open_console"] != link {
		t.Errorf("the invitation's DM: %+v", got)
	}
	mustRefuse(t, "invited as", with("members", "signin", "--member", "U0MEMBER8", "--salesforce-user", "member8@acme.example")...)
	mustRefuse(t, "refused the sign-in", with("members", "signin", "--member", "U0MEMBER8", "--salesforce-user", "nobody@acme.example")...)
	r = mustRun(t, with("members", "signin", "--member", "U0MEMBER8", "--salesforce-user", "member8b@acme.example", "--output", "json")...)
	if !strings.Contains(r.out, `"linked"`) || !strings.Contains(r.out, "member8b@acme.example") {
		t.Fatalf("signin: %s", r)
	}
	mustRefuse(t, "already linked", with("members", "add", "--member", "U0MEMBER8", "--as", "U0ADMIN01")...)
	mustRefuse(t, "not an active member", with("members", "add", "--member", "U0OWNER02", "--as", "U0ADMIN01")...)

	// Clearing, by a Salesforce admin only; the member may map again, on their own.
	mustRefuse(t, "user@acme.example", with("members", "clear", "--member", "U0MEMBER1", "--as", "user@acme.example")...)
	mustRefuse(t, "U0ADMIN01", with("members", "clear", "--member", "U0MEMBER1", "--as", "U0ADMIN01")...)
	mustRun(t, with("members", "clear", "--member", "U0MEMBER1", "--as", "admin@acme.example")...)
	mustRefuse(t, "no mapping to clear", with("members", "clear", "--member", "U0MEMBER1", "--as", "admin@acme.example")...)
	if p := decodeProgress(t, mustRun(t, with("members", "automap", "--as", "U0ADMIN01", "--output", "json")...)); p.Unchanged != 6 || p.Linked != 0 {
		t.Fatalf("automatic mapping must leave a cleared mapping alone: %s", p.Summary())
	}
	mustRun(t, with("members", "signin", "--member", "U0MEMBER1", "--salesforce-user", "member1@acme.example")...)

	// Export: every mapping, RFC 4180, read back with encoding/csv.
	file := filepath.Join(t.TempDir(), "mapping.csv")
	mustRun(t, with("members", "export", "--file", file, "--as", "U0ADMIN01")...)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "slack_user_id,slack_email,slack_name,salesforce_user_id,salesforce_username,state,source,updated_at" {
		t.Fatalf("header %v", rows[0])
	}
	states := map[string]string{}
	for _, row := range rows[1:] {
		states[row[0]] = row[5] + "/" + row[6]
	}
	if len(rows) != 9 || states["U0MEMBER1"] != "linked/self" || states["U0MEMBER8"] != "linked/manual" || states["U0MEMBER3"] != "linked/auto" {
		t.Fatalf("export rows %d: %v", len(rows), states)
	}
	mustRefuse(t, "U0MEMBER4", with("members", "export", "--as", "U0MEMBER4")...)

	// Disconnect keeps the mappings as history; a new connection starts with none.
	mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
	mustRefuse(t, "disconnected", with("members", "search", "member", "--as", "U0ADMIN01")...)
	mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://acme.my.salesforce.com", "--no-auto-map", "--as", "U0OWNER01")
	mustRun(t, with("connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example")...)
	c := decodeConnection(t, mustRun(t, with("connect", "activate", "--as", "U0OWNER01", "--output", "json")...))
	if c.AutoMapRun != nil {
		t.Errorf("automatic mapping started although it was turned off")
	}
	if m := decodeMembers(t, mustRun(t, with("members", "search", "member", "--as", "U0ADMIN01", "--output", "json")...)); m["U0MEMBER3"].State != "unmapped" {
		t.Errorf("the old connection's mappings count in the new one: %+v", m["U0MEMBER3"])
	}
	if c.State != model.StateActive {
		t.Fatal(c.State)
	}
	mustRun(t, with("connect", "disconnect", "--as", "U0OWNER01", "--yes")...)
}
