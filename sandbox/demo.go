package sandbox

import (
	"fmt"
	"strings"
)

// The fixed demo data of SPEC section 10. README.md has it as a table; the
// ids here are part of the contract (the README's walkthrough, the tests and
// people's scripts name them), so change them only together with the docs.

const (
	// DemoTeamID is the main demo workspace (business_plus).
	DemoTeamID = "T0DEMO0001"
	// DemoTeam2ID is the second workspace (pro).
	DemoTeam2ID = "T0DEMO0002"
	// EnterpriseTeamID is the workspace of the enterprise org EnterpriseID.
	EnterpriseTeamID = "T0ENT00001"
	// EnterpriseID is the Enterprise Grid org of EnterpriseTeamID.
	EnterpriseID = "E0ENT00001"
	// NoticesTeamID is a small workspace (pro) where a system administrator
	// of org24 is a member, found by email, and org24's second one is not:
	// the notices' tests have it to themselves.
	NoticesTeamID = "T0NOTICE1"

	// AcmeOrgID is the id of the default org, acme.
	AcmeOrgID = "00D000000000001AAA"

	// DemoPassword is the password of every demo identity, Slack members
	// and Salesforce users alike, on the sandbox's sign-in pages (which
	// show it).
	DemoPassword = "sfconnect-demo"

	profileSysAdmin    = "00e000000000001AAA"
	profileStandard    = "00e000000000002AAA"
	profileIntegration = "00e000000000003AAA"
	permSetSlack       = "0PS000000000001AAA"

	// demoCreated is the date_create / updated of the demo records, fixed so
	// that outputs are reproducible (2025-01-01T00:00:00Z).
	demoCreated = 1735689600
)

var numberWords = []string{"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"}

// demoProfiles are the profiles every org has. Ids are shared between orgs:
// nothing compares profile ids across orgs.
func demoProfiles() []*sfProfile {
	return []*sfProfile{
		{ID: profileSysAdmin, Name: "System Administrator"},
		{ID: profileStandard, Name: "Standard User"},
		{ID: profileIntegration, Name: "Minimum Access - API Only Integrations"},
	}
}

func demoPermSets() []*sfPermissionSet {
	return []*sfPermissionSet{
		{ID: permSetSlack, Name: "ManageSlackConnections", Label: "Manage Slack Connections"},
		{ID: IntegrationPermSetID, Name: IntegrationPermSetName, Label: "Slack Integration"},
	}
}

// demoBuilder hands out the fixed ids in order, so that they are unique
// across orgs without a table of literals.
type demoBuilder struct {
	s       *Sandbox
	userSeq int
	// The sequences of the integration setup's records (integration_perms.go).
	// assignmentSeq starts after acme's fixed 0Pa000000000001AAA.
	entitySeq, assignmentSeq, objectPermSeq int
}

func (b *demoBuilder) userID() string {
	b.userSeq++
	return fmt.Sprintf("005%012dAAA", b.userSeq)
}

func loadDemo(s *Sandbox) {
	b := &demoBuilder{s: s, assignmentSeq: 1}
	loadDemoSlack(s)

	acme := b.org(1, "acme", ".my.salesforce.com", "acme.example", "Acme", "NA1", false)
	admin := b.user(acme, "admin@acme.example", "", "Acme Admin", profileSysAdmin, true)
	if admin.ID != "005000000000001AAA" {
		panic("sandbox: the acme admin must be the first user: " + admin.ID)
	}
	b.user(acme, "user@acme.example", "", "Acme User", profileStandard, true)
	mgr := b.user(acme, "slackmgr@acme.example", "", "Slack Manager", profileStandard, true)
	b.user(acme, "inactive.admin@acme.example", "", "Inactive Admin", profileSysAdmin, false)
	for n := 1; n <= 7; n++ {
		u := b.user(acme, fmt.Sprintf("member%d@acme.example", n), fmt.Sprintf("member%d", n), "Member "+numberWords[n], profileStandard, true)
		if n == 3 {
			// An email that differs from the Slack one only by case, so
			// that matching must be case-insensitive.
			u.Email = "Member3@ACME.example"
		}
	}
	// Two active users share member8's email: an ambiguous match.
	b.user(acme, "member8@acme.example", "member8", "Member Eight", profileStandard, true)
	u8b := b.user(acme, "member8b@acme.example", "member8b", "Member Eight (B)", profileStandard, true)
	u8b.Email = "member8@acme.example"
	b.user(acme, "member9@acme.example", "member9", "Member Nine", profileStandard, false)
	acme.assignments = append(acme.assignments, &sfPermSetAssignment{ID: "0Pa000000000001AAA", AssigneeID: mgr.ID, PermissionSetID: permSetSlack})
	b.publish(acme)

	uat := b.org(2, "acme--uat", ".sandbox.my.salesforce.com", "acme.example.uat", "Acme (UAT)", "CS42", true)
	b.user(uat, "admin@acme.example.uat", "", "Acme Admin", profileSysAdmin, true)
	b.publish(uat)

	agency := b.org(3, "agency", ".my.salesforce.mil", "agency.example", "Agency", "USGOV1", false)
	b.user(agency, "admin@agency.example", "", "Agency Admin", profileSysAdmin, true)
	b.publish(agency)

	fed := b.org(4, "fedsales", ".my.salesforce.com", "fedsales.example", "Federal Sales", "USGOV2", false)
	b.user(fed, "admin@fedsales.example", "", "Fedsales Admin", profileSysAdmin, true)
	b.publish(fed)

	locked := b.org(5, "locked", ".my.salesforce.com", "locked.example", "Locked Inc", "NA2", false)
	b.user(locked, "admin@locked.example", "", "Locked Admin", profileSysAdmin, true)
	locked.ipRanges = []*sfLoginIPRange{
		{ID: "0Ld000000000001AAA", StartAddress: "203.0.113.0", EndAddress: "203.0.113.255", Description: "Head office"},
		{ID: "0Ld000000000002AAA", StartAddress: "198.51.100.0", EndAddress: "198.51.100.255", Description: "VPN"},
	}
	b.publish(locked)

	for n := 1; n <= 25; n++ {
		name := fmt.Sprintf("org%02d", n)
		o := b.org(100+n, name, ".my.salesforce.com", name+".example", fmt.Sprintf("Org %02d", n), "NA3", false)
		b.user(o, "admin@"+name+".example", "", fmt.Sprintf("Org %02d Admin", n), profileSysAdmin, true)
		if n == 24 {
			b.user(o, "second.admin@"+name+".example", "", "Org 24 Second Admin", profileSysAdmin, true)
		}
		b.publish(o)
	}
	s.defaultOrg = acme
}

// org creates an org (not yet published). Org ids are "00D" + 12 digits + "AAA".
func (b *demoBuilder) org(seq int, name, suffix, userDomain, display, instance string, sandbox bool) *org {
	return &org{
		id:           fmt.Sprintf("00D%012dAAA", seq),
		name:         name,
		host:         name + suffix,
		suffix:       suffix,
		userDomain:   userDomain,
		displayName:  display,
		instanceName: instance,
		orgType:      "Enterprise Edition",
		isSandbox:    sandbox,
		profiles:     demoProfiles(),
		permSets:     demoPermSets(),
	}
}

// user adds a user whose Username and Email are both login.
func (b *demoBuilder) user(o *org, login, fedID, name, profile string, active bool) *sfUser {
	first, last, _ := strings.Cut(name, " ")
	if last == "" {
		first, last = "", name
	}
	u := &sfUser{
		ID: b.userID(), Username: login, Email: login, FederationID: fedID,
		FirstName: first, LastName: last, Name: name, ProfileID: profile, IsActive: active,
	}
	o.users = append(o.users, u)
	return u
}

// publish gives the org its integration user (the one client_credentials
// tokens act as) with its permission set, indexes its users and registers
// its host.
func (b *demoBuilder) publish(o *org) {
	o.integration = b.user(o, "integration@"+o.userDomain, "", "Integration User", profileIntegration, true)
	b.integrationSetup(o)
	us := o.users
	o.users = nil
	o.addUsers(us)
	b.s.orgs = append(b.s.orgs, o)
	b.s.orgByID[o.id] = o
	b.s.hosts[o.host] = o
}

func loadDemoSlack(s *Sandbox) {
	add := func(w *workspace, us ...*slackUser) {
		for _, u := range us {
			u.TeamID = w.id
			u.Updated = demoCreated
			if u.DisplayName == "" {
				u.DisplayName = u.Name
			}
		}
		w.addUsers(us)
		w.bot = &slackUser{
			ID: "UB" + w.id[1:], TeamID: w.id, Name: "sfconnect", RealName: "sfconnect",
			DisplayName: "sfconnect", IsBot: true, Updated: demoCreated,
		}
		s.workspaces[w.id] = w
	}

	demo := newWorkspace(DemoTeamID, "Demo", "demo", "business_plus")
	members := []*slackUser{
		{ID: "U0OWNER01", Name: "owner", RealName: "Demo Owner", Email: "owner@demo.example", IsPrimaryOwner: true, IsOwner: true},
		{ID: "U0ADMIN01", Name: "admin", RealName: "Demo Admin", Email: "admin@demo.example", IsAdmin: true},
		{ID: "U0SFADM01", Name: "sfadmin", RealName: "Salesforce Admin", Email: "sfadmin@demo.example"},
	}
	for n := 1; n <= 9; n++ {
		members = append(members, &slackUser{
			ID:         fmt.Sprintf("U0MEMBER%d", n),
			Name:       fmt.Sprintf("member%d", n),
			RealName:   "Member " + numberWords[n],
			Email:      fmt.Sprintf("member%d@acme.example", n),
			SAMLNameID: fmt.Sprintf("member%d", n),
		})
	}
	add(demo, members...)
	demo.roles = []roleAssignment{{RoleID: SalesforceAdminRoleID, EntityID: DemoTeamID, UserID: "U0SFADM01", DateCreate: demoCreated}}

	two := newWorkspace(DemoTeam2ID, "Demo Two", "demo-two", "pro")
	add(two,
		&slackUser{ID: "U0OWNER02", Name: "owner2", RealName: "Demo Two Owner", Email: "owner@demo-two.example", IsPrimaryOwner: true, IsOwner: true},
		&slackUser{ID: "U0MEMBR21", Name: "member21", RealName: "Member Twenty-One", Email: "member21@demo-two.example"},
	)

	ent := newWorkspace(EnterpriseTeamID, "Enterprise Co", "enterprise-co", "enterprise")
	ent.enterpriseID, ent.enterpriseName = EnterpriseID, "Enterprise Co"
	add(ent,
		&slackUser{ID: "U0EOWNER1", Name: "eowner", RealName: "Enterprise Owner", Email: "owner@enterprise.example", IsOwner: true, EnterpriseOwner: true},
		&slackUser{ID: "U0EADMIN1", Name: "eadmin", RealName: "Enterprise Admin", Email: "admin@enterprise.example", IsAdmin: true, EnterpriseAdmin: true},
		&slackUser{ID: "U0EMEMBR1", Name: "emember", RealName: "Enterprise Member", Email: "member@enterprise.example"},
	)

	notices := newWorkspace(NoticesTeamID, "Notices Co", "notices-co", "pro")
	add(notices,
		&slackUser{ID: "U0NOWNER1", Name: "nowner", RealName: "Notices Owner", Email: "owner@notices.example", IsPrimaryOwner: true, IsOwner: true},
		&slackUser{ID: "U0NSFADM1", Name: "nsfadmin", RealName: "Notices Salesforce Admin", Email: "sfadmin@notices.example"},
		&slackUser{ID: "U0NORGAD1", Name: "norgadmin", RealName: "Org 24 Admin", Email: "admin@org24.example"},
		&slackUser{ID: "U0NMEMBR1", Name: "nmember", RealName: "Notices Member", Email: "member@notices.example"},
	)
	notices.roles = []roleAssignment{{RoleID: SalesforceAdminRoleID, EntityID: NoticesTeamID, UserID: "U0NSFADM1", DateCreate: demoCreated}}
}
