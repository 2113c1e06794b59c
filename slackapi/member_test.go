package slackapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/slackapi"
)

func TestMemberOwnerWithEnterpriseAndSAML(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.Member(context.Background(), acme, "U0OWNER")
	if err != nil {
		t.Fatal(err)
	}
	want := slackapi.Member{
		ID: "U0OWNER", TeamID: acme, Name: "olivia", RealName: "Olivia Owner", DisplayName: "olivia",
		Email: "olivia@acme.test", SAMLNameID: "olivia.owner@idp.acme.test",
		IsPrimaryOwner: true, IsOwner: true, IsAdmin: true,
		EnterpriseID: org, IsOrgOwner: true, IsOrgAdmin: true,
	}
	if got != want {
		t.Fatalf("Member =\n %+v\nwant\n %+v", got, want)
	}
}

func TestMemberAdminIsNoOwner(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.Member(context.Background(), acme, "U0ADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsAdmin || got.IsOwner || got.IsPrimaryOwner || !got.IsOrgAdmin || got.IsOrgOwner || got.EnterpriseID != org {
		t.Fatalf("Member = %+v", got)
	}
	if got.SAMLNameID != "" {
		t.Errorf("SAMLNameID = %q for a member without custom fields", got.SAMLNameID)
	}
}

func TestMemberFillsTeamAndRealName(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.Member(context.Background(), acme, "U0MEMBER")
	if err != nil {
		t.Fatal(err)
	}
	if got.TeamID != acme || got.RealName != "Mia Member" || got.EnterpriseID != "" || got.IsAdmin {
		t.Fatalf("Member = %+v", got)
	}
}

func TestMemberDeletedAndBotAreFound(t *testing.T) {
	_, d, _ := newDirectory(t)
	gone, err := d.Member(context.Background(), acme, "U0GONE")
	if err != nil {
		t.Fatalf("a deleted member: %v", err)
	}
	if !gone.Deleted {
		t.Errorf("Deleted = false for %+v", gone)
	}
	bot, err := d.Member(context.Background(), acme, "U0BOT")
	if err != nil {
		t.Fatal(err)
	}
	if !bot.IsBot {
		t.Errorf("IsBot = false for %+v", bot)
	}
}

func TestMemberOfAnotherWorkspaceIsNotFound(t *testing.T) {
	_, d, _ := newDirectory(t)
	_, err := d.Member(context.Background(), acme, "U1BETA")
	if !errors.Is(err, slackapi.ErrMemberNotFound) {
		t.Fatalf("err = %v, want ErrMemberNotFound", err)
	}
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || e.Err != "user_not_found" {
		t.Errorf("the Slack error is lost: %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "slack users.info U1BETA in T0ACME: ") {
		t.Errorf("err = %q, want the call and the workspace", err)
	}
	if slackapi.Retryable(err) {
		t.Error("a missing member is retryable")
	}
	// Its own workspace knows it.
	if _, err := d.Member(context.Background(), beta, "U1BETA"); err != nil {
		t.Errorf("in its own workspace: %v", err)
	}
}

func TestMemberByEmail(t *testing.T) {
	_, d, _ := newDirectory(t)
	got, err := d.MemberByEmail(context.Background(), acme, "Adam@Acme.test")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "U0ADMIN" || got.Email != "adam@acme.test" {
		t.Fatalf("Member = %+v", got)
	}

	_, err = d.MemberByEmail(context.Background(), acme, "bea@beta.test")
	if !errors.Is(err, slackapi.ErrMemberNotFound) {
		t.Fatalf("another workspace's email: err = %v, want ErrMemberNotFound", err)
	}
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || e.Err != "users_not_found" {
		t.Errorf("the Slack error is lost: %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "slack users.lookupByEmail bea@beta.test in T0ACME: ") {
		t.Errorf("err = %q", err)
	}
}
