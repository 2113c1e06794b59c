package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// perfRows is the size of the timing test: a large workspace. Under the
// race detector, which slows the pure-Go SQLite some fifteen times (100,000
// rows would take over a minute to load), the test loads a tenth: it still
// checks the searches and the budget, while the figures to quote come from a
// normal run.
var perfRows = map[bool]int{false: 100_000, true: 10_000}[raceEnabled]

// perfBatch is how many rows each write carries, as a bulk job would send
// them.
const perfBatch = 10_000

// searchBudget is the most one prefix search may take on perfRows rows.
const searchBudget = 50 * time.Millisecond

var (
	firstNames = strings.Fields(`Jean Marie Pierre Anne Michel Nathalie Philippe Isabelle Alain Sylvie
		Nicolas Catherine Christophe Sophie Patrick Sandrine Laurent Valérie Stéphane Christine
		Julien Céline Olivier Julie Thomas Aurélie David Camille Éric Émilie Frédéric Laure
		Antoine Claire Sébastien Chloé Mathieu Léa Hugo Manon Lucas Inès Louis Zoé Gabriel
		Jade Arthur Louise Raphaël Alice`)
	lastNames = strings.Fields(`Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau
		Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard
		André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure
		Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier
		Dumont Lopez Fontaine Chevalier Robin`)
)

// perfPerson is the i-th generated member: ids in scrambled order (so that
// inserts do not arrive sorted), 2,500 name pairs.
func perfPerson(i int) (id, handle, realName string) {
	id = fmt.Sprintf("U%09d", (i*7919)%perfRows) // 7919 is prime to 10^n: a permutation
	first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
	return id, strings.ToLower(first + "." + last + fmt.Sprint(i)), first + " " + last
}

// Timing measures the searches an admin waits for on a large workspace
// (perfRows members and mappings) and fails tb when one exceeds
// searchBudget. It is a benchmark's (store's BenchmarkTiming), not part of
// the contract suite: a budget depends on the machine, the contract does
// not. s must be a fresh store.
func Timing(t testing.TB, s store.Store) {
	ctx := context.Background()
	if raceEnabled {
		t.Logf("race detector on: loading %d rows, not 100,000", perfRows)
	}

	start := time.Now()
	for lo := 0; lo < perfRows; lo += perfBatch {
		ms := make([]store.Member, 0, perfBatch)
		for i := lo; i < lo+perfBatch; i++ {
			id, handle, real := perfPerson(i)
			ms = append(ms, store.Member{UserID: id, Name: handle, RealName: real, Email: handle + "@example.com"})
		}
		if err := s.UpsertMembers(ctx, "TPERF", ms); err != nil {
			t.Fatalf("load members: %v", err)
		}
	}
	membersTook := time.Since(start)

	start = time.Now()
	for lo := 0; lo < perfRows; lo += perfBatch {
		ms := make([]store.Mapping, 0, perfBatch)
		for i := lo; i < lo+perfBatch; i++ {
			id, handle, real := perfPerson(i)
			ms = append(ms, store.Mapping{
				ConnectionID: "CPERF", Workspace: "TPERF", OrgID: "00D000000000001AAA",
				SlackUserID: id, SlackEmail: handle + "@example.com", SlackName: real,
				SalesforceUserID: fmt.Sprintf("005%015d", i), SalesforceUsername: handle + "@acme.sf", SalesforceEmail: handle + "@example.com",
				State: store.StateLinked, Source: store.SourceAuto, UpdatedBy: "timing",
			})
		}
		res, err := s.ApplyMappings(ctx, fmt.Sprintf("perf-%d", lo), ms)
		if err != nil || res.Inserted != perfBatch {
			t.Fatalf("load mappings: %+v, %v", res, err)
		}
	}
	mappingsTook := time.Since(start)
	t.Logf("loaded %d members in %v (%.0f rows/s), %d mappings in %v (%.0f rows/s), in batches of %d",
		perfRows, membersTook.Round(time.Millisecond), float64(perfRows)/membersTook.Seconds(),
		perfRows, mappingsTook.Round(time.Millisecond), float64(perfRows)/mappingsTook.Seconds(), perfBatch)

	// A rerun of a batch that is already right (automatic mapping run
	// again) writes nothing.
	start = time.Now()
	rerun := make([]store.Mapping, 0, perfBatch)
	for i := range perfBatch {
		id, handle, real := perfPerson(i)
		rerun = append(rerun, store.Mapping{
			ConnectionID: "CPERF", Workspace: "TPERF", OrgID: "00D000000000001AAA",
			SlackUserID: id, SlackEmail: handle + "@example.com", SlackName: real,
			SalesforceUserID: fmt.Sprintf("005%015d", i), SalesforceUsername: handle + "@acme.sf", SalesforceEmail: handle + "@example.com",
			State: store.StateLinked, Source: store.SourceAuto, UpdatedBy: "rerun",
		})
	}
	res, err := s.ApplyMappings(ctx, "perf-rerun", rerun)
	if err != nil || res.Unchanged != perfBatch {
		t.Fatalf("rerun: %+v, %v", res, err)
	}
	t.Logf("rerun of %d unchanged mappings: %v", perfBatch, time.Since(start).Round(time.Millisecond))

	// A first query warms the connection and statement caches, as any
	// running service has them.
	if _, err := s.SearchMappings(ctx, "CPERF", "warm", 20); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SearchMembers(ctx, "TPERF", "warm", 20); err != nil {
		t.Fatal(err)
	}

	// What an admin types: the start of a name (160 matches in 100,000).
	timed := func(what string, fn func() (int, error)) time.Duration {
		t.Helper()
		start := time.Now()
		n, err := fn()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n == 0 {
			t.Fatalf("%s: no hits", what)
		}
		t.Logf("%s: %d results in %v", what, n, took.Round(10*time.Microsecond))
		return took
	}
	mappingsSearch := timed(`SearchMappings "jean du"`, func() (int, error) {
		ms, err := s.SearchMappings(ctx, "CPERF", "jean du", 20)
		for _, m := range ms {
			if !strings.HasPrefix(strings.ToLower(m.SlackName), "jean du") {
				return 0, fmt.Errorf("hit %q does not match", m.SlackName)
			}
		}
		return len(ms), err
	})
	membersSearch := timed(`SearchMembers "jean du"`, func() (int, error) {
		ms, err := s.SearchMembers(ctx, "TPERF", "jean du", 20)
		return len(ms), err
	})
	// Broad prefixes match thousands; they must stay usable too.
	timed(`SearchMappings "j" (broad)`, func() (int, error) {
		ms, err := s.SearchMappings(ctx, "CPERF", "j", 20)
		return len(ms), err
	})
	timed(`SearchMembers "dup" (a word of the real name)`, func() (int, error) {
		ms, err := s.SearchMembers(ctx, "TPERF", "dup", 20)
		return len(ms), err
	})
	if mappingsSearch > searchBudget || membersSearch > searchBudget {
		t.Errorf("prefix search took %v (mappings) and %v (members); budget %v", mappingsSearch, membersSearch, searchBudget)
	}
}
