package slackapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/slackapi"
)

// allIDs is the order of seed's ACME members.
var allIDs = []string{"U0OWNER", "U0ADMIN", "U0MEMBER", "U0GONE", "U0BOT"}

// listPages collects the member ids of each page.
func listPages(t *testing.T, d *slackapi.Directory, pageSize int) ([][]string, error) {
	t.Helper()
	var pages [][]string
	err := d.ListMembers(context.Background(), acme, pageSize, func(page []slackapi.Member) error {
		var ids []string
		for _, m := range page {
			if m.TeamID != acme {
				t.Errorf("member %s has TeamID %q", m.ID, m.TeamID)
			}
			ids = append(ids, m.ID)
		}
		pages = append(pages, ids)
		return nil
	})
	return pages, err
}

func TestListMembersThreePages(t *testing.T) {
	f, d, _ := newDirectory(t)
	pages, err := listPages(t, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3: %v", len(pages), pages)
	}
	if got := slices.Concat(pages...); !slices.Equal(got, allIDs) {
		t.Errorf("members = %v, want %v", got, allIDs)
	}
	calls := f.callsOf("users.list")
	for i, c := range calls {
		if c.params.Get("limit") != "2" {
			t.Errorf("call %d: limit=%q", i, c.params.Get("limit"))
		}
		if (i == 0) != (c.params.Get("cursor") == "") {
			t.Errorf("call %d: cursor=%q", i, c.params.Get("cursor"))
		}
	}
}

func TestListMembersDefaultPageSize(t *testing.T) {
	f, d, _ := newDirectory(t)
	pages, err := listPages(t, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || len(pages[0]) != len(allIDs) {
		t.Fatalf("pages = %v", pages)
	}
	if got := f.callsOf("users.list")[0].params.Get("limit"); got != "200" {
		t.Errorf("limit = %q, want 200", got)
	}
}

func TestListMembersStopsOnFnError(t *testing.T) {
	f, d, _ := newDirectory(t)
	stop := errors.New("stop")
	calls := 0
	err := d.ListMembers(context.Background(), acme, 2, func([]slackapi.Member) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want fn's", err)
	}
	if calls != 1 || len(f.callsOf("users.list")) != 1 {
		t.Errorf("fn called %d times after %d requests; want 1 and 1", calls, len(f.callsOf("users.list")))
	}
}

func TestListMembersFromResumes(t *testing.T) {
	_, d, _ := newDirectory(t)
	var next string
	err := d.ListMembersFrom(context.Background(), acme, "", 2, func(_ []slackapi.Member, n string) error {
		next = n
		return errors.New("crash after the first page")
	})
	if err == nil || next == "" {
		t.Fatalf("err = %v, next = %q", err, next)
	}
	var rest []string
	var lastNext string
	err = d.ListMembersFrom(context.Background(), acme, next, 2, func(page []slackapi.Member, n string) error {
		for _, m := range page {
			rest = append(rest, m.ID)
		}
		lastNext = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rest, allIDs[2:]) || lastNext != "" {
		t.Errorf("resumed with %v (last next %q), want %v", rest, lastNext, allIDs[2:])
	}
}

func TestListMembersAsksAgainForAFailedPage(t *testing.T) {
	f, d, _ := newDirectory(t)
	// Page 1 passes, page 2 fails once with a 503 and once with a 429.
	f.failNext("users.list", fault{}, fault{status: 503}, fault{status: 429, retryAfter: "0"})
	pages, err := listPages(t, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Concat(pages...); len(pages) != 3 || !slices.Equal(got, allIDs) {
		t.Fatalf("pages = %v", pages)
	}
	if n := len(f.callsOf("users.list")); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
}

func TestListMembersGivesUpOnAPersistentFailure(t *testing.T) {
	f, d, _ := newDirectory(t)
	f.failNext("users.list", fault{}, fault{status: 503}, fault{status: 503}, fault{status: 503}, fault{status: 503})
	pages, err := listPages(t, d, 2)
	if e, ok := errors.AsType[slack.StatusCodeError](err); !ok || e.Code != 503 {
		t.Fatalf("err = %v, want the 503", err)
	}
	if !slackapi.Retryable(err) {
		t.Error("a 503 is not retryable")
	}
	if len(pages) != 1 || len(f.callsOf("users.list")) != 5 {
		t.Errorf("%d pages after %d requests; want 1 after 5", len(pages), len(f.callsOf("users.list")))
	}
}

func TestListMembersLeavesALongRetryAfterToTheCaller(t *testing.T) {
	f, d, _ := newDirectory(t)
	f.failNext("users.list", fault{status: 429, retryAfter: "120"})
	_, err := listPages(t, d, 2)
	if wait, ok := slackapi.RetryAfter(err); !ok || wait.Seconds() != 120 {
		t.Fatalf("RetryAfter = %v, %v; err = %v", wait, ok, err)
	}
	if n := len(f.callsOf("users.list")); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
