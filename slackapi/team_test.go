package slackapi_test

import (
	"context"
	"testing"

	"github.com/sfconnect/sfconnect/slackapi"
)

func TestTeamEnterprise(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.Team(context.Background(), acme)
	if err != nil {
		t.Fatal(err)
	}
	want := slackapi.Team{ID: acme, Name: "Acme", Domain: "acme", Plan: "enterprise", EnterpriseID: org, EnterpriseName: "Acme Group"}
	if got != want {
		t.Fatalf("Team = %+v, want %+v", got, want)
	}
	if !got.IsEnterprise() {
		t.Error("IsEnterprise = false on an Enterprise workspace")
	}
}

func TestTeamNotEnterprise(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.Team(context.Background(), beta)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != beta || got.Plan != "pro" || got.EnterpriseID != "" {
		t.Fatalf("Team = %+v", got)
	}
	if got.IsEnterprise() {
		t.Error("IsEnterprise = true on a Pro workspace")
	}
}

func TestIsEnterpriseByPlanAlone(t *testing.T) {
	if !(slackapi.Team{Plan: "enterprise"}).IsEnterprise() {
		t.Error("the enterprise plan without an enterprise id is still Enterprise")
	}
	if (slackapi.Team{Plan: "business_plus"}).IsEnterprise() {
		t.Error("business_plus is not Enterprise")
	}
}
