package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/sfconnect/sfconnect/store"
)

// testSearchSalesforceEmail checks the search by Salesforce email across the
// partial index (migration 0003): an email equal to the Slack one is found
// through the member's email in the directory copy, a different one through
// its own index.
func testSearchSalesforceEmail(t *testing.T, b Backend) {
	s, _ := open(t, b)
	same := mapping("C1", "U01")
	same.SlackEmail, same.SalesforceEmail, same.SalesforceUsername = "Anne.Same@acme.com", "anne.same@ACME.com", "asame@acme.sf"
	other := mapping("C1", "U02")
	other.SlackEmail, other.SalesforceEmail, other.SalesforceUsername = "bob@slack-side.com", "Robert.Other@sf-side.com", "rother@acme.sf"
	both := mapping("C1", "U03")
	both.SlackEmail, both.SalesforceEmail, both.SalesforceUsername = "robert.both@slack-side.com", "robert.both@sf-side.com", "rboth@acme.sf"
	apply(t, s, "k", []store.Mapping{same, other, both, mapping("C2", "U02")})
	var members []store.Member
	for _, m := range []store.Mapping{same, other, both} {
		members = append(members, store.Member{UserID: m.SlackUserID, Name: m.SlackName, Email: m.SlackEmail})
	}
	if err := s.UpsertMembers(context.Background(), "T0001", members); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"anne.same@":   {"U01"},
		"robert.other": {"U02"}, // only the Salesforce email has it
		"robert.":      {"U02", "U03"},
		"bob@":         {"U02"},
		"@sf-side":     {},
	} {
		got, err := s.SearchMappings(context.Background(), "C1", q, 10)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		ids := []string{}
		for _, m := range got {
			ids = append(ids, m.SlackUserID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, want) {
			t.Errorf("search %q: %v, want %v", q, ids, want)
		}
	}
	// A member's Salesforce email changes to the Slack one and back: the
	// row leaves and re-enters the partial index.
	other.SalesforceEmail = other.SlackEmail
	apply(t, s, "k2", []store.Mapping{other})
	if got, _ := s.SearchMappings(context.Background(), "C1", "robert.other", 10); len(got) != 0 {
		t.Errorf("old Salesforce email still found: %v", got)
	}
	other.SalesforceEmail = "Robert.Other@sf-side.com"
	apply(t, s, "k3", []store.Mapping{other})
	if got, _ := s.SearchMappings(context.Background(), "C1", "robert.other", 10); len(got) != 1 {
		t.Errorf("Salesforce email not found again: %v", got)
	}
}
