package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

func (f *fixture) status(at time.Duration) *workflows.Connection {
	c := &workflows.Connection{}
	f.env.RegisterDelayedCallback(func() {
		v, err := f.env.QueryWorkflow(workflows.QueryStatus)
		if err != nil {
			f.t.Fatal(err)
		}
		_ = v.Get(c)
	}, at)
	return c
}

func TestOlderConnectionUpdatesToTheNewestVersion(t *testing.T) {
	f := newFixture(t)
	in := activeConnection()
	in.Connection.Version = 1
	before := f.status(time.Minute)
	byMember := f.update(2*time.Minute, workflows.UpdateUpdate, workflows.ConnectionUpdate{Caller: workflows.Caller{As: slackPlain}})
	ok := f.update(3*time.Minute, workflows.UpdateUpdate, workflows.ConnectionUpdate{Caller: workflows.Caller{As: slackAdmin}})
	again := f.update(4*time.Minute, workflows.UpdateUpdate, workflows.ConnectionUpdate{Caller: workflows.Caller{As: slackAdmin}})
	after := f.status(5 * time.Minute)
	f.disconnectAt(time.Hour)
	f.runConnection(in)
	if !before.UpdateAvailable || before.Version != 1 {
		t.Fatalf("an older connection must show the update: %+v", before)
	}
	requireType(t, byMember.err, activities.ErrForbidden, slackPlain)
	if ok.err != nil || after.Version != workflows.CurrentConnectionVersion || after.UpdateAvailable || !strings.Contains(strings.Join(after.PermissionObjects, ","), "Invoice__c") {
		t.Fatalf("after the update: %v %+v", ok.err, after)
	}
	requireType(t, again.rejected, workflows.ErrInvalidState, "up to date")
}

func TestBannerAndObjects(t *testing.T) {
	f := newFixture(t)
	on := f.update(time.Minute, workflows.UpdateBanner, workflows.BannerRequest{On: true, Caller: workflows.Caller{As: slackAdmin}})
	twice := f.update(2*time.Minute, workflows.UpdateBanner, workflows.BannerRequest{On: true, Caller: workflows.Caller{As: slackAdmin}})
	add := f.update(3*time.Minute, workflows.UpdateObjects, workflows.ObjectsRequest{Add: []string{"Invoice__c"}, Caller: workflows.Caller{As: slackAdmin}})
	f.signal(4*time.Minute, workflows.UpdateBanner, workflows.BannerRequest{On: false, Caller: workflows.Caller{As: slackPlain}})
	during := f.status(5 * time.Minute)
	f.disconnectAt(time.Hour)
	c := f.runConnection(activeConnection())
	if on.err != nil || !on.conn.Banner || f.bannerNotices != 1 {
		t.Fatalf("banner on: %v, notices %d", on.err, f.bannerNotices)
	}
	requireType(t, twice.rejected, activities.ErrInvalidInput, "already on")
	if add.err != nil || !strings.Contains(strings.Join(during.PermissionObjects, ","), "Invoice__c") {
		t.Fatalf("objects: %v %+v", add.err, during.PermissionObjects)
	}
	if !during.Banner || len(c.Attempts) != 1 || c.Attempts[0].Action != model.ActionBanner {
		t.Errorf("a plain member's banner signal must be refused and kept: %+v", c.Attempts)
	}
}

func TestHealthCheckNoticesAMovedOrg(t *testing.T) {
	f := newFixture(t)
	f.health = activities.HealthResult{MovedTo: "https://acme2.my.salesforce.com"}
	moved := f.status(7 * time.Hour)
	noURL := f.update(8*time.Hour, workflows.UpdateUpdate, workflows.ConnectionUpdate{Caller: workflows.Caller{As: slackAdmin}})
	fixed := f.update(9*time.Hour, workflows.UpdateUpdate, workflows.ConnectionUpdate{OrgURL: "https://acme2.my.salesforce.com", Caller: workflows.Caller{As: slackAdmin}})
	f.disconnectAt(10 * time.Hour)
	f.runConnection(activeConnection())
	if moved.State != model.StateNeedsUpdate || !strings.Contains(strings.Join(moved.Warnings, " "), "acme2") {
		t.Fatalf("after the health check: %s %v", moved.State, moved.Warnings)
	}
	requireType(t, noURL.rejected, activities.ErrInvalidInput, "--org-url")
	if fixed.err != nil || fixed.conn.State != model.StateActive || fixed.conn.OrgURL != "https://acme2.my.salesforce.com" || len(fixed.conn.Warnings) != 0 {
		t.Fatalf("after the update: %v %+v", fixed.err, fixed.conn)
	}
}

func TestMigrationRefusedWhileConnected(t *testing.T) {
	f := newWorkspaceFixture(t)
	f.update(time.Minute, workflows.UpdateRequest, request("https://org01.my.salesforce.com", slackOwner))
	refused := f.update(time.Hour, workflows.UpdateMigrate, workflows.MigrateRequest{Enterprise: "E0ENT00001", Caller: workflows.Caller{As: slackOwner}})
	f.env.RegisterDelayedCallback(func() {
		f.env.SignalWorkflow(workflows.SignalConnectionState, workflows.ConnectionStateSignal{OrgID: orgIDFor("https://org01.my.salesforce.com"), State: model.StateDisconnected, Seq: 9})
	}, 2*time.Hour)
	byAdmin := f.update(3*time.Hour, workflows.UpdateMigrate, workflows.MigrateRequest{Enterprise: "E0ENT00001", Caller: workflows.Caller{As: slackAdmin}})
	ok := f.update(4*time.Hour, workflows.UpdateMigrate, workflows.MigrateRequest{Enterprise: "E0ENT00001", Caller: workflows.Caller{As: slackOwner}})
	ws := f.registry(5 * time.Hour)
	f.run(24 * time.Hour)
	requireType(t, refused.rejected, workflows.ErrInvalidState, "disconnect them first")
	requireType(t, byAdmin.err, activities.ErrForbidden, slackAdmin)
	if ok.err != nil || ws.Migration == nil || ws.Migration.Enterprise != "E0ENT00001" {
		t.Fatalf("migration: %v %+v", ok.err, ws.Migration)
	}
}
