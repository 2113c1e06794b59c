package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

const (
	demoTeam = "T0DEMO0001"
	acmeID   = "00D000000000001AAA"
)

// TestTheArticleInTheBrowser walks Slack's help article in the console, each
// person signing in as themselves: the owner requests acme, the org's
// Salesforce admin approves, the owner activates, uploads a CSV and
// approves its preview, a member follows their link and signs in, the owner
// exports and sees them linked, turns the banner on and disconnects. Each
// refusal on the way shows on the page.
func TestTheArticleInTheBrowser(t *testing.T) {
	orgPage := "/slack/orgs/" + acmeID

	owner := newPerson(t, "owner")
	owner.open("/slack/orgs")
	owner.signInSlack("owner@demo.example")
	owner.see("h1", "Manage Salesforce organizations")
	owner.see("header .who", "U0OWNER01")

	// Step 1, refused: a Government Cloud org.
	owner.do("request agency",
		chromedp.SetValue(chromedp.CSS("#org_url"), "https://agency.my.salesforce.mil"),
		chromedp.Submit(chromedp.CSS("#org_url")),
	)
	owner.see("#connect-error", "Government Cloud")

	// Step 1: acme, with automatic mapping off (the CSV maps the members).
	owner.do("request acme",
		chromedp.SetValue(chromedp.CSS("#org_url"), "https://acme.my.salesforce.com"),
		chromedp.Click(chromedp.CSS(`input[name="auto_map"]`)),
		chromedp.Submit(chromedp.CSS("#org_url")),
	)
	owner.see("#state", "Pending approval")
	owner.screenshot("org-pending")

	// Step 2, refused: a standard user of the org.
	standard := newPerson(t, "standard user")
	standard.signInSalesforce("acme", "user@acme.example")
	standard.see("h1", "Manage Slack connections")
	standard.do("approve as a standard user",
		chromedp.Click(chromedp.CSS(`section[data-workspace="`+demoTeam+`"] input[name="accept_terms"]`)),
		chromedp.Submit(chromedp.CSS(`section[data-workspace="`+demoTeam+`"] form.approve`)),
	)
	standard.see("#step-error", "that needs")

	// Step 2: the org's system administrator, terms accepted.
	sfAdmin := newPerson(t, "Salesforce admin")
	sfAdmin.signInSalesforce("acme", "admin@acme.example")
	sfAdmin.see(`section[data-workspace="`+demoTeam+`"]`, "Pending approval")
	sfAdmin.screenshot("manage-slack-connections")
	sfAdmin.do("approve",
		chromedp.SetValue(chromedp.CSS(`section[data-workspace="`+demoTeam+`"] select`), "Email"),
		chromedp.Click(chromedp.CSS(`section[data-workspace="`+demoTeam+`"] input[name="accept_terms"]`)),
		chromedp.Submit(chromedp.CSS(`section[data-workspace="`+demoTeam+`"] form.approve`)),
	)
	sfAdmin.see(".notice", "Request approved")

	// Step 3, refused: a workspace admin may not activate.
	admin := newPerson(t, "workspace admin")
	admin.open(orgPage)
	admin.signInSlack("admin@demo.example")
	admin.see("#state", "pending activation")
	admin.click("activate as an admin", "#activate button")
	admin.see("#step-error", "that needs")

	// Step 3: the owner activates.
	owner.open(orgPage)
	owner.click("activate", "#activate button")
	owner.see(".notice", "Connection activated")
	owner.see("#state", "Active")

	// Users: a CSV, its preview, the approval, the outcomes.
	csv := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(csv, []byte("slack_email;salesforce_username\r\nmember1@acme.example;member1@acme.example\r\nmember2@acme.example;member2@acme.example\r\nnobody@acme.example;member4@acme.example\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	owner.open(orgPage + "?tab=users")
	owner.do("upload the CSV",
		chromedp.SetUploadFiles(chromedp.CSS(`#import input[type="file"]`), []string{csv}),
		chromedp.Submit(chromedp.CSS(`#import`)),
	)
	owner.see("#phase", "Waiting for your approval")
	owner.see("#preview", "2")
	owner.screenshot("csv-preview")
	owner.click("approve the preview", "#approve button")
	owner.see("#phase", "following the invitations")
	owner.see("#invited", "2")
	owner.see("#refused", "1")
	results := owner.eval(`fetch(document.getElementById("results").href).then(r => r.text())`)
	if !strings.Contains(results, "refused") || !strings.Contains(results, "nobody@acme.example") {
		t.Fatalf("results CSV:\n%s", results)
	}

	// A member follows their link: Slack, then Salesforce, then linked.
	member := newPerson(t, "member")
	member.open("/link/" + demoTeam + "/" + acmeID)
	member.signInSlack("member1@acme.example")
	member.see("main h1", "Link your Salesforce account")
	member.click("go to Salesforce", "#link button")
	member.do("log in to acme as the member",
		chromedp.WaitVisible(chromedp.CSS(`#login`)),
		chromedp.SetValue(chromedp.CSS(`#login`), "member1@acme.example"),
		chromedp.SetValue(chromedp.CSS(`#password`), demoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
	)
	member.see("#linked", "member1@acme.example")
	member.screenshot("member-linked")

	// User mapping search and Clear user mapping, on the Salesforce side.
	sfAdmin.open("/salesforce/" + acmeID + "?team=" + demoTeam + "&q=member2")
	sfAdmin.see(`#found tr[data-member="U0MEMBER2"] .mstate`, "invited")
	sfAdmin.click("clear member2's mapping", `#found tr[data-member="U0MEMBER2"] button`)
	sfAdmin.see(".notice", "Mapping cleared")

	// The owner exports and sees them linked.
	owner.open(orgPage + "?tab=users")
	export := owner.eval(`fetch(document.getElementById("export").href).then(r => r.text())`)
	if !exportShows(export, "U0MEMBER1", "linked") || !exportShows(export, "U0MEMBER2", "cleared") {
		t.Fatalf("export:\n%s", export)
	}
	owner.screenshot("users-tab")

	// Connection & authentication: the login banner.
	owner.open(orgPage + "?tab=auth")
	owner.see("#banner", "off")
	owner.click("turn the banner on", "#banner-form button")
	owner.see("#banner", "on")
	owner.see("#objects", "Account")
	owner.screenshot("auth-tab")

	// Disconnect, after the review.
	owner.open(orgPage + "/disconnect")
	owner.see("#review", "1 linked and 0 invited")
	owner.do("disconnect",
		chromedp.SetValue(chromedp.CSS("#confirm"), "acme"),
		chromedp.Submit(chromedp.CSS("#confirm")),
	)
	owner.see(".notice", "disconnected")
}

// exportShows reports whether a line of the export has the member and the state.
func exportShows(csv, member, state string) bool {
	for _, line := range strings.Split(csv, "\n") {
		if strings.HasPrefix(line, member+",") && strings.Contains(line, ","+state+",") {
			return true
		}
	}
	return false
}

// TestRefusalsAndBoundariesInTheBrowser: the 21st org, another workspace's
// session, a forged sign-in callback.
func TestRefusalsAndBoundariesInTheBrowser(t *testing.T) {
	const team = "T0DEMO0002"
	// Twenty orgs requested (through the same client the console uses,
	// as the sandbox's unverified walkthrough steps are).
	c := &sfclient.Client{Temporal: env.Client, Config: env.Config}
	for n := 1; n <= 20; n++ {
		_, err := c.Request(context.Background(), team, workflows.ConnectionRequest{
			OrgURL: fmt.Sprintf("https://org%02d.my.salesforce.com", n), Caller: workflows.Caller{As: "U0OWNER02"},
		})
		if err != nil {
			t.Fatalf("request org%02d: %v", n, err)
		}
	}
	owner2 := newPerson(t, "owner of another workspace")
	owner2.open("/slack/orgs")
	owner2.signInSlack("owner@demo-two.example")
	owner2.see("#orgs", "org20")
	owner2.do("request a 21st org",
		chromedp.SetValue(chromedp.CSS("#org_url"), "https://org21.my.salesforce.com"),
		chromedp.Submit(chromedp.CSS("#org_url")),
	)
	owner2.see("#connect-error", "20")
	owner2.screenshot("21st-org")

	// Another workspace's org is not there for this session.
	owner2.open("/slack/orgs/" + acmeID)
	owner2.see("main", "No such org in this workspace")
	if body := owner2.text("main"); strings.Contains(body, "acme") {
		t.Fatalf("another workspace's org shows: %s", body)
	}

	// A forged callback: no sign-in was started for it.
	owner2.open("/auth/slack/callback?code=forged&state=forged")
	owner2.see("main", "not started here")
	owner2.open("/auth/salesforce/callback?code=forged&state=forged")
	owner2.see("main", "not started here")
}
