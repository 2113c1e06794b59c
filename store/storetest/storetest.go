// Package storetest is the one test suite every store.Store implementation
// passes. A backend's test calls Run with a Backend that hands out fresh,
// empty databases; each test gets its own, so the tests run in parallel and
// leave nothing behind.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// Backend describes one store implementation to the suite.
type Backend struct {
	// Fresh returns the store.Open URL of a new, empty database that is
	// removed when t ends (after the stores the suite opened on it close).
	Fresh func(t *testing.T) string
	// QueryInt runs a query returning one integer against the database at
	// url, for the checks below the interface (schema_migrations).
	QueryInt func(t *testing.T, url, query string) int
	// ObservePages, when set, makes s report the size of every page
	// ListMappings or StreamJobRows reads to fn.
	ObservePages func(s store.Store, fn func(n int))
}

// Run runs the suite against b.
func Run(t *testing.T, b Backend) {
	// Timing budgets are not part of the contract: see Timing and
	// JobTiming, which the store's benchmarks run.
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"MigrationsConcurrentOpen", testMigrations},
		{"ApplyCounts", testApplyCounts},
		{"ApplyReplay", testApplyReplay},
		{"ApplyConcurrentSameKey", testApplyConcurrentSameKey},
		{"ApplyRefusesBadBatch", testApplyRefusesBadBatch},
		{"Times", testTimes},
		{"GetMappings", testGetMappings},
		{"List12000", testList},
		{"Count", testCount},
		{"SearchMappings", testSearchMappings},
		{"SearchSalesforceEmail", testSearchSalesforceEmail},
		{"FindBySalesforceUser", testFindBySalesforceUser},
		{"ClearMapping", testClearMapping},
		{"ExpireInvitations", testExpireInvitations},
		{"Members", testMembers},
		{"Jobs", testJobs},
		{"JobAppend", testJobAppend},
		{"JobAppendConcurrent", testJobAppendConcurrent},
		{"JobUpdate", testJobUpdate},
		{"JobUpdateReplay", testJobUpdateReplay},
		{"JobApplyPlanned", testJobApplyPlanned},
		{"JobUpdateConcurrentSameKey", testJobUpdateConcurrentSameKey},
		{"JobUpdateConcurrentRows", testJobUpdateConcurrentRows},
		{"JobUpdateRefusesBadBatch", testJobUpdateRefusesBadBatch},
		{"JobCounts", testJobCounts},
		{"JobStream12001", testJobStream},
		{"JobSettle", testJobSettle},
		{"JobCancel", testJobCancel},
		{"Notices", testNotices},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, b)
		})
	}
}

// open opens a store on a fresh database.
func open(t *testing.T, b Backend) (store.Store, string) {
	t.Helper()
	url := b.Fresh(t)
	return openURL(t, url), url
}

// openURL opens a store at url, closed when t ends.
func openURL(t *testing.T, url string) store.Store {
	t.Helper()
	s, err := store.MigrateAndOpen(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// mapping is a linked mapping of connection conn with predictable values.
func mapping(conn, user string) store.Mapping {
	return store.Mapping{
		ConnectionID: conn, Workspace: "T0001", OrgID: "00D000000000001AAA",
		SlackUserID: user, SlackEmail: strings.ToLower(user) + "@example.com", SlackName: "Name " + user,
		SalesforceUserID: "005" + user, SalesforceUsername: strings.ToLower(user) + "@acme.sf", SalesforceEmail: strings.ToLower(user) + "@example.com",
		State: store.StateLinked, Source: store.SourceAuto, UpdatedBy: "tester",
	}
}

func apply(t *testing.T, s store.Store, key string, ms []store.Mapping) store.ApplyResult {
	t.Helper()
	res, err := s.ApplyMappings(context.Background(), key, ms)
	if err != nil {
		t.Fatalf("apply %q: %v", key, err)
	}
	return res
}

func get(t *testing.T, s store.Store, conn, user string) (store.Mapping, bool) {
	t.Helper()
	m, ok, err := s.GetMapping(context.Background(), conn, user)
	if err != nil {
		t.Fatalf("get %s/%s: %v", conn, user, err)
	}
	return m, ok
}

func mustGet(t *testing.T, s store.Store, conn, user string) store.Mapping {
	t.Helper()
	m, ok := get(t, s, conn, user)
	if !ok {
		t.Fatalf("mapping %s/%s missing", conn, user)
	}
	return m
}

func testMigrations(t *testing.T, b Backend) {
	url := b.Fresh(t)
	// Open never migrates: the empty database is refused, and stays empty.
	if s, err := store.Open(context.Background(), url); !errors.Is(err, store.ErrSchemaNotCurrent) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("open before migrate: %v, want ErrSchemaNotCurrent", err)
	}
	// Four "processes" migrate the empty database at once and open it: each
	// must succeed, and each migration must be recorded once.
	const n = 4
	stores := make([]store.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = store.MigrateAndOpen(context.Background(), url) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("concurrent open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	versions := b.QueryInt(t, url, `SELECT count(*) FROM schema_migrations`)
	newest := b.QueryInt(t, url, `SELECT max(version) FROM schema_migrations`)
	if versions < 1 || versions != newest {
		t.Fatalf("schema_migrations: %d rows, newest version %d; want one row per version", versions, newest)
	}
	// Every store works on the shared schema.
	for i, s := range stores {
		res := apply(t, s, fmt.Sprintf("k%d", i), []store.Mapping{mapping("C1", fmt.Sprintf("U%d", i))})
		if res.Inserted != 1 {
			t.Fatalf("store %d: %+v", i, res)
		}
	}
	// Migrating again applies nothing.
	openURL(t, url)
	if got := b.QueryInt(t, url, `SELECT count(*) FROM schema_migrations`); got != versions {
		t.Fatalf("reopen: schema_migrations has %d rows, had %d", got, versions)
	}
}

func testApplyCounts(t *testing.T, b Backend) {
	s, _ := open(t, b)
	a, bb, c := mapping("C1", "UA"), mapping("C1", "UB"), mapping("C1", "UC")
	if res := apply(t, s, "k1", []store.Mapping{a, bb, c}); res != (store.ApplyResult{Inserted: 3}) {
		t.Fatalf("first apply: %+v", res)
	}
	before := mustGet(t, s, "C1", "UA")
	if before.State != store.StateLinked || before.SalesforceUserID != "005UA" || before.UpdatedBy != "tester" {
		t.Fatalf("stored: %+v", before)
	}

	time.Sleep(2 * time.Millisecond) // so that a touched row would show a new UpdatedAt
	bb.SalesforceUserID, bb.SalesforceUsername = "005OTHER", "other@acme.sf"
	a.UpdatedBy = "someone else" // who asks is not a change
	d := mapping("C1", "UD")
	res := apply(t, s, "k2", []store.Mapping{a, bb, c, d})
	if res != (store.ApplyResult{Inserted: 1, Updated: 1, Unchanged: 2}) {
		t.Fatalf("second apply: %+v", res)
	}
	after := mustGet(t, s, "C1", "UA")
	if !after.UpdatedAt.Equal(before.UpdatedAt) || after.UpdatedBy != "tester" {
		t.Fatalf("unchanged row was touched: before %+v, after %+v", before, after)
	}
	gotB := mustGet(t, s, "C1", "UB")
	if gotB.SalesforceUserID != "005OTHER" || !gotB.UpdatedAt.After(before.UpdatedAt) || !gotB.CreatedAt.Equal(before.CreatedAt) {
		t.Fatalf("updated row: %+v (first write at %v)", gotB, before.UpdatedAt)
	}

	// Same key space, another connection: a separate row.
	if res := apply(t, s, "k3", []store.Mapping{mapping("C2", "UA")}); res.Inserted != 1 {
		t.Fatalf("other connection: %+v", res)
	}
	// No key: applied every time, and an unchanged batch counts unchanged.
	if res := apply(t, s, "", []store.Mapping{a, bb}); res != (store.ApplyResult{Unchanged: 2}) {
		t.Fatalf("keyless apply: %+v", res)
	}
	// An empty batch is fine.
	if res := apply(t, s, "k4", nil); res != (store.ApplyResult{}) {
		t.Fatalf("empty apply: %+v", res)
	}
	// A state change is a change, and moving off invited drops the expiry.
	inv := mapping("C1", "UE")
	inv.State, inv.Source, inv.InviteExpiresAt = store.StateInvited, store.SourceCSV, time.Now().Add(time.Hour)
	apply(t, s, "k5", []store.Mapping{inv})
	inv.State = store.StateLinked
	if res := apply(t, s, "k6", []store.Mapping{inv}); res.Updated != 1 {
		t.Fatalf("invited → linked: %+v", res)
	}
	if m := mustGet(t, s, "C1", "UE"); m.State != store.StateLinked || !m.InviteExpiresAt.IsZero() {
		t.Fatalf("linked row: %+v", m)
	}
}

func testApplyReplay(t *testing.T, b Backend) {
	s, _ := open(t, b)
	first := apply(t, s, "job-1/batch-1", []store.Mapping{mapping("C1", "UA"), mapping("C1", "UB")})
	// The retried activity may even bring other rows: nothing is written.
	changed := mapping("C1", "UA")
	changed.SalesforceUserID = "005CHANGED"
	again := apply(t, s, "job-1/batch-1", []store.Mapping{changed, mapping("C1", "UZ")})
	if !again.Replayed || again.Inserted != first.Inserted || again.Updated != 0 || again.Unchanged != 0 {
		t.Fatalf("replay: %+v, first %+v", again, first)
	}
	if m := mustGet(t, s, "C1", "UA"); m.SalesforceUserID != "005UA" {
		t.Fatalf("replay wrote: %+v", m)
	}
	if _, ok := get(t, s, "C1", "UZ"); ok {
		t.Fatal("replay inserted a row")
	}
	// A key belongs to one kind of write.
	if _, err := s.ClearMapping(context.Background(), "job-1/batch-1", "C1", "UA", "admin", time.Now()); !errors.Is(err, store.ErrKeyReused) {
		t.Fatalf("clear with an apply key: %v, want ErrKeyReused", err)
	}
	if m := mustGet(t, s, "C1", "UA"); m.State != store.StateLinked {
		t.Fatalf("refused clear wrote: %+v", m)
	}
}

func testApplyConcurrentSameKey(t *testing.T, b Backend) {
	s, url := open(t, b)
	other := openURL(t, url) // a second process
	const n = 6
	results := make([]store.ApplyResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			ms := make([]store.Mapping, 300)
			for j := range ms {
				ms[j] = mapping("C1", fmt.Sprintf("U%04d", j))
				ms[j].SlackName = fmt.Sprintf("writer %d", i)
			}
			results[i], errs[i] = st.ApplyMappings(context.Background(), "same-key", ms)
		})
	}
	wg.Wait()
	applied := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("apply %d: %v", i, errs[i])
		}
		if !results[i].Replayed {
			applied++
		}
		if results[i].Inserted != 300 {
			t.Fatalf("apply %d: %+v", i, results[i])
		}
	}
	if applied != 1 {
		t.Fatalf("%d calls applied the same key, want 1", applied)
	}
}

func testApplyRefusesBadBatch(t *testing.T, b Backend) {
	s, _ := open(t, b)
	bad := []func(m *store.Mapping){
		func(m *store.Mapping) { m.State = "mapped" },
		func(m *store.Mapping) { m.Source = "guess" },
		func(m *store.Mapping) { m.SlackUserID = "" },
		func(m *store.Mapping) { m.ConnectionID = "" },
	}
	for i, spoil := range bad {
		m := mapping("C1", "UBAD")
		spoil(&m)
		if _, err := s.ApplyMappings(context.Background(), fmt.Sprintf("bad-%d", i), []store.Mapping{mapping("C1", "UGOOD"), m}); err == nil {
			t.Fatalf("case %d: bad row accepted", i)
		}
	}
	dup := []store.Mapping{mapping("C1", "UGOOD"), mapping("C1", "UGOOD")}
	if _, err := s.ApplyMappings(context.Background(), "dup", dup); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate rows: %v", err)
	}
	if _, ok := get(t, s, "C1", "UGOOD"); ok {
		t.Fatal("a refused batch half-applied")
	}
	// A refused batch does not burn its key.
	if res := apply(t, s, "dup", dup[:1]); res.Inserted != 1 || res.Replayed {
		t.Fatalf("key of a refused batch: %+v", res)
	}
}

func testTimes(t *testing.T, b Backend) {
	s, _ := open(t, b)
	paris := time.FixedZone("CEST", 2*3600)
	created := time.Date(2026, 3, 1, 10, 0, 0, 123456789, paris)
	updated := created.Add(90 * time.Minute)
	expires := created.Add(72 * time.Hour)
	m := mapping("C1", "UT")
	m.State, m.InviteExpiresAt, m.CreatedAt, m.UpdatedAt = store.StateInvited, expires, created, updated
	apply(t, s, "t", []store.Mapping{m})
	got := mustGet(t, s, "C1", "UT")
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{{"created", got.CreatedAt, created}, {"updated", got.UpdatedAt, updated}, {"expires", got.InviteExpiresAt, expires}} {
		if c.got.Location() != time.UTC {
			t.Errorf("%s: location %v, want UTC", c.name, c.got.Location())
		}
		if want := c.want.Truncate(time.Microsecond); !c.got.Equal(want) {
			t.Errorf("%s: %v, want %v (microsecond precision)", c.name, c.got, want)
		}
	}
	// Without times, the store stamps now.
	before := time.Now().Add(-time.Second)
	apply(t, s, "t2", []store.Mapping{mapping("C1", "UN")})
	if n := mustGet(t, s, "C1", "UN"); n.CreatedAt.Before(before) || !n.CreatedAt.Equal(n.UpdatedAt) || !n.InviteExpiresAt.IsZero() {
		t.Errorf("stamped times: %+v", n)
	}
}

func testGetMappings(t *testing.T, b Backend) {
	s, _ := open(t, b)
	var ms, other []store.Mapping
	var ids []string
	for i := range 1200 {
		ms = append(ms, mapping("C1", fmt.Sprintf("U%04d", i)))
		ids = append(ids, fmt.Sprintf("U%04d", i))
	}
	other = append(other, mapping("C2", "UOTHER"))
	apply(t, s, "k", append(ms, other...))
	got, err := s.GetMappings(context.Background(), "C1", append(ids, "UOTHER", "UMISSING"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Fatalf("%d mappings, want %d", len(got), len(ms))
	}
	for _, m := range ms {
		if g, ok := got[m.SlackUserID]; !ok || g.ConnectionID != "C1" || g.SalesforceUserID != m.SalesforceUserID {
			t.Fatalf("%s: %+v", m.SlackUserID, g)
		}
	}
	if got, err := s.GetMappings(context.Background(), "C1", nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v", got, err)
	}
}

func testList(t *testing.T, b Backend) {
	s, _ := open(t, b)
	const total = 12000
	ms := make([]store.Mapping, total)
	for i := range ms {
		// Ids inserted out of order, to see ListMappings sort them.
		ms[i] = mapping("C1", fmt.Sprintf("U%06d", (i*7919)%total))
		switch i % 4 {
		case 0:
			ms[i].State, ms[i].InviteExpiresAt = store.StateInvited, time.Now().Add(time.Hour)
		case 1:
			ms[i].State = store.StateCleared
		}
	}
	if res := apply(t, s, "load", ms); res.Inserted != total {
		t.Fatalf("load: %+v", res)
	}
	apply(t, s, "noise", []store.Mapping{mapping("C0", "U999999"), mapping("C2", "U000000")})

	var pages []int
	if b.ObservePages != nil {
		b.ObservePages(s, func(n int) { pages = append(pages, n) })
	}
	var ids []string
	err := s.ListMappings(context.Background(), "C1", nil, func(m store.Mapping) error {
		if m.ConnectionID != "C1" {
			return fmt.Errorf("row of connection %s", m.ConnectionID)
		}
		ids = append(ids, m.SlackUserID)
		return nil
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(ids) != total {
		t.Fatalf("list: %d ids, want %d", len(ids), total)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("list: %s after %s", ids[i], ids[i-1])
		}
	}
	if b.ObservePages != nil {
		if len(pages) < 3 || slices.Max(pages) > 5000 {
			t.Fatalf("pages read: %v; want pages of at most 5000", pages)
		}
		t.Logf("12,000 mappings listed in pages of %v", pages)
		b.ObservePages(s, nil)
	}

	count := func(states ...store.MappingState) int {
		n := 0
		prev := ""
		err := s.ListMappings(context.Background(), "C1", states, func(m store.Mapping) error {
			if !slices.Contains(states, m.State) {
				return fmt.Errorf("%s is %s, not in %v", m.SlackUserID, m.State, states)
			}
			if m.SlackUserID <= prev {
				return fmt.Errorf("%s after %s", m.SlackUserID, prev)
			}
			prev = m.SlackUserID
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("list %v: %v", states, err)
		}
		return n
	}
	if n := count(store.StateLinked); n != total/2 {
		t.Fatalf("linked: %d", n)
	}
	if n := count(store.StateInvited, store.StateCleared); n != total/2 {
		t.Fatalf("invited+cleared: %d", n)
	}
	if n := count(store.StateLinked, store.StateInvited, store.StateCleared); n != total {
		t.Fatalf("all states: %d", n)
	}

	// fn may use the store while listing (here: clear some of what it
	// sees, across a page boundary), and its error stops the listing.
	stop := errors.New("enough")
	seen, cleared := 0, 0
	err = s.ListMappings(context.Background(), "C1", []store.MappingState{store.StateLinked}, func(m store.Mapping) error {
		if seen == 5001 {
			return stop
		}
		seen++
		if seen%1000 == 0 {
			ok, err := s.ClearMapping(context.Background(), "clear-"+m.SlackUserID, m.ConnectionID, m.SlackUserID, "lister", time.Time{})
			if err != nil || !ok {
				return fmt.Errorf("clear while listing: %v, %v", ok, err)
			}
			cleared++
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 5001 || cleared != 5 {
		t.Fatalf("stopped listing: %v after %d (%d cleared)", err, seen, cleared)
	}
	if err := s.ListMappings(context.Background(), "C1", []store.MappingState{"gone"}, func(store.Mapping) error { return nil }); err == nil {
		t.Fatal("unknown state filter accepted")
	}
	if err := s.ListMappings(context.Background(), "nope", nil, func(store.Mapping) error { return errors.New("called") }); err != nil {
		t.Fatalf("empty connection: %v", err)
	}
}

func testCount(t *testing.T, b Backend) {
	s, _ := open(t, b)
	got, err := s.CountMappings(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[store.MappingState]int{store.StateInvited: 0, store.StateLinked: 0, store.StateCleared: 0}; !mapsEqual(got, want) {
		t.Fatalf("empty: %v", got)
	}
	var ms []store.Mapping
	for i := range 10 {
		m := mapping("C1", fmt.Sprintf("U%02d", i))
		if i < 3 {
			m.State = store.StateInvited
		} else if i < 4 {
			m.State = store.StateCleared
		}
		ms = append(ms, m)
	}
	apply(t, s, "k", append(ms, mapping("C2", "U99")))
	got, err = s.CountMappings(context.Background(), "C1")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[store.MappingState]int{store.StateInvited: 3, store.StateLinked: 6, store.StateCleared: 1}; !mapsEqual(got, want) {
		t.Fatalf("counts: %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[store.MappingState]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func testSearchMappings(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	people := []struct{ id, name, email, sfUser string }{
		{"U01", "Alice Martin", "alice.martin@acme.com", "amartin@acme.sf"},
		{"U02", "alain Dupont", "a.dupont@acme.com", "adupont@acme.sf"},
		{"U03", "Albert Camus", "albert@plume.fr", "acamus@acme.sf"},
		{"U04", "Bob Marley", "bob@reggae.jm", "bmarley@acme.sf"},
		{"U05", "Éloïse Durand", "eloise@acme.com", "edurand@acme.sf"},
		{"U06", "Zoé Alix", "zoe@acme.com", "zalix@acme.sf"},
		{"UALPHA", "Yann Tiersen", "yann@acme.com", "ytiersen@acme.sf"},
		// Mapped, but not in the directory copy: found by id and
		// Salesforce side only.
		{"U07", "Gaston Absent", "gaston@acme.com", "gabsent@acme.sf"},
		// Mapped, deleted from the directory.
		{"U08", "Hector Parti", "hector@acme.com", "hparti@acme.sf"},
	}
	var ms []store.Mapping
	var members []store.Member
	for _, p := range people {
		m := mapping("C1", p.id)
		m.SlackName, m.SlackEmail, m.SalesforceUsername, m.SalesforceEmail = p.name, p.email, p.sfUser, p.email
		ms = append(ms, m)
		if p.id != "U07" {
			members = append(members, store.Member{UserID: p.id, Name: strings.ToLower(strings.ReplaceAll(p.name, " ", ".")),
				RealName: p.name, Email: p.email, Deleted: p.id == "U08"})
		}
	}
	// Bob now goes by Robert in Slack; the mapping keeps the name it was
	// made with, by which its hits are ordered.
	members[3].RealName = "Robert Marley"
	// In the directory but unmapped.
	members = append(members, store.Member{UserID: "U09", Name: "marc.seul", RealName: "Marc Seul", Email: "marc@acme.com"})
	if err := s.UpsertMembers(ctx, "T0001", members); err != nil {
		t.Fatal(err)
	}
	// Another workspace's member with a mapped id.
	if err := s.UpsertMembers(ctx, "T0002", []store.Member{{UserID: "U04", Name: "zed", RealName: "Zed Ailleurs"}}); err != nil {
		t.Fatal(err)
	}
	noise := mapping("C2", "U01")
	noise.SlackName = "Alice Elsewhere"
	apply(t, s, "k", append(ms, noise))

	search := func(q string, limit int) []string {
		t.Helper()
		got, err := s.SearchMappings(ctx, "C1", q, limit)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		ids := []string{}
		for _, m := range got {
			if m.ConnectionID != "C1" {
				t.Fatalf("search %q: row of %s", q, m.ConnectionID)
			}
			ids = append(ids, m.SlackUserID)
		}
		return ids
	}
	cases := []struct {
		q     string
		limit int
		want  []string
	}{
		// Names, ordered case-insensitively; Zoé Alix by a word of her
		// real name.
		{"al", 10, []string{"U02", "U03", "U01", "U06"}},
		{"AL", 10, []string{"U02", "U03", "U01", "U06"}},
		{"  alice ", 10, []string{"U01"}},
		{"alice.m", 10, []string{"U01"}},         // Slack email (and handle)
		{"a.dup", 10, []string{"U02"}},           // Slack email
		{"bmar", 10, []string{"U04"}},            // Salesforce username
		{"u0", 3, []string{"U02", "U03", "U01"}}, // user id, limited
		{"ualpha", 10, []string{"UALPHA"}},
		{"élo", 10, []string{"U05"}}, // non-ASCII, case-folded
		{"ÉLOÏSE", 10, []string{"U05"}},
		{"zalix@", 10, []string{"U06"}},
		{"nobody", 10, []string{}},
		{"alice martin", 10, []string{"U01"}},
		{"dur", 10, []string{"U05"}},
		{"robert", 10, []string{"U04"}}, // the member's name of now
		{"bob@", 10, []string{"U04"}},
		{"gaston", 10, []string{}},       // not in the copy: by name, no
		{"u07", 10, []string{"U07"}},     // by id, yes
		{"gabsent", 10, []string{"U07"}}, // by Salesforce username, yes
		{"hector", 10, []string{}},       // deleted member: by name, no
		{"hparti", 10, []string{"U08"}},  // by Salesforce username, yes
		{"marc", 10, []string{}},         // in the copy, not mapped
		{"zed", 10, []string{}},          // another workspace's member
		{"", 2, []string{"U01", "U02"}},  // empty: all, by id
		// Names, Slack emails and Salesforce usernames all start with "a"
		// for the same three, and a word of Zoé Alix's name; the default
		// limit applies.
		{"a", 0, []string{"U02", "U03", "U01", "U06"}},
	}
	for _, c := range cases {
		if got := search(c.q, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("search %q limit %d: %v, want %v", c.q, c.limit, got, c.want)
		}
	}
	if got, err := s.SearchMappings(ctx, "C9", "al", 10); err != nil || len(got) != 0 {
		t.Errorf("unknown connection: %v, %v", got, err)
	}
}

func testFindBySalesforceUser(t *testing.T, b Backend) {
	s, _ := open(t, b)
	linked := mapping("C1", "UL")
	invited := mapping("C1", "UI")
	invited.State, invited.SalesforceUserID = store.StateInvited, "005INV"
	cleared := mapping("C1", "UC")
	cleared.State, cleared.SalesforceUserID = store.StateCleared, "005CLR"
	apply(t, s, "k", []store.Mapping{linked, invited, cleared, mapping("C2", "UX")})

	find := func(conn, sf string) (string, bool) {
		m, ok, err := s.FindBySalesforceUser(context.Background(), conn, sf)
		if err != nil {
			t.Fatalf("find %s/%s: %v", conn, sf, err)
		}
		return m.SlackUserID, ok
	}
	if id, ok := find("C1", "005UL"); !ok || id != "UL" {
		t.Errorf("linked: %q %v", id, ok)
	}
	if id, ok := find("C1", "005INV"); !ok || id != "UI" {
		t.Errorf("invited: %q %v", id, ok)
	}
	if _, ok := find("C1", "005CLR"); ok {
		t.Error("a cleared mapping holds its Salesforce user")
	}
	if _, ok := find("C1", "005UX"); ok {
		t.Error("found another connection's mapping")
	}
	if _, err := s.ClearMapping(context.Background(), "c", "C1", "UL", "admin", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := find("C1", "005UL"); ok {
		t.Error("found a mapping after it was cleared")
	}
}

func testClearMapping(t *testing.T, b Backend) {
	s, _ := open(t, b)
	inv := mapping("C1", "UI")
	inv.State, inv.InviteExpiresAt = store.StateInvited, time.Now().Add(time.Hour)
	apply(t, s, "k", []store.Mapping{mapping("C1", "UL"), inv})
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

	clear := func(key, user string) bool {
		t.Helper()
		ok, err := s.ClearMapping(ctx, key, "C1", user, "sfadmin", at)
		if err != nil {
			t.Fatalf("clear %s (%s): %v", user, key, err)
		}
		return ok
	}
	if !clear("c1", "UL") {
		t.Fatal("clearing a linked mapping: false")
	}
	m := mustGet(t, s, "C1", "UL")
	if m.State != store.StateCleared || m.UpdatedBy != "sfadmin" || !m.UpdatedAt.Equal(at) || m.SalesforceUserID != "005UL" {
		t.Fatalf("cleared: %+v", m)
	}
	if !clear("c1", "UL") {
		t.Fatal("replayed clear: false, want the first answer")
	}
	if clear("c2", "UL") {
		t.Fatal("clearing a cleared mapping: true")
	}
	if clear("c3", "UNOBODY") {
		t.Fatal("clearing a missing mapping: true")
	}
	if !clear("c4", "UI") {
		t.Fatal("clearing an invited mapping: false")
	}
	if m := mustGet(t, s, "C1", "UI"); m.State != store.StateCleared || !m.InviteExpiresAt.IsZero() {
		t.Fatalf("cleared invitation: %+v", m)
	}
	// The member may map again.
	if res := apply(t, s, "k2", []store.Mapping{mapping("C1", "UL")}); res.Updated != 1 {
		t.Fatalf("map again: %+v", res)
	}
	if !clear("c5", "UL") {
		t.Fatal("clearing the new mapping: false")
	}
	// A replayed key answers as the first time, even though the state moved.
	if clear("c2", "UL") {
		t.Fatal("replayed key c2 changed its answer")
	}
}

func testExpireInvitations(t *testing.T, b Backend) {
	s, _ := open(t, b)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	invite := func(conn, user string, expires time.Time) store.Mapping {
		m := mapping(conn, user)
		m.State, m.Source, m.InviteExpiresAt = store.StateInvited, store.SourceManual, expires
		return m
	}
	apply(t, s, "k", []store.Mapping{
		invite("C1", "U1", now.Add(-time.Hour)),
		invite("C1", "U2", now), // expires exactly now: expired
		invite("C1", "U3", now.Add(time.Millisecond)),
		invite("C1", "U4", time.Time{}), // never expires
		invite("C2", "U5", now.Add(-time.Hour)),
		mapping("C1", "U6"),
	})
	n, err := s.ExpireInvitations(context.Background(), "C1", now)
	if err != nil || n != 2 {
		t.Fatalf("expire: %d, %v; want 2", n, err)
	}
	want := map[string]store.MappingState{"U1": store.StateCleared, "U2": store.StateCleared, "U3": store.StateInvited, "U4": store.StateInvited, "U6": store.StateLinked}
	for user, st := range want {
		m := mustGet(t, s, "C1", user)
		if m.State != st {
			t.Errorf("%s: %s, want %s", user, m.State, st)
		}
		if st == store.StateCleared && (m.UpdatedBy != store.ExpiredBy || !m.UpdatedAt.Equal(now) || !m.InviteExpiresAt.IsZero()) {
			t.Errorf("%s expired: %+v", user, m)
		}
	}
	if m := mustGet(t, s, "C2", "U5"); m.State != store.StateInvited {
		t.Errorf("another connection's invitation expired: %+v", m)
	}
	if n, err := s.ExpireInvitations(context.Background(), "C1", now); err != nil || n != 0 {
		t.Fatalf("expire again: %d, %v", n, err)
	}
}

func testMembers(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	members := []store.Member{
		{UserID: "U01", Name: "jdupont", RealName: "Jean Dupont", Email: "jean.dupont@acme.com"},
		{UserID: "U02", Name: "marie", RealName: "Marie-Claire de la Fontaine", Email: "mcf@acme.com", SAMLNameID: "mcf"},
		{UserID: "U03", Name: "Zed", RealName: "Jeanne Zed", Email: "zed@acme.com"},
		{UserID: "U04", Name: "gone", RealName: "Jean Gone", Email: "gone@acme.com", Deleted: true},
		{UserID: "UJEAN", Name: "bot", RealName: "Robot", Email: "bot@acme.com"},
	}
	if err := s.UpsertMembers(ctx, "T1", members); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertMembers(ctx, "T2", []store.Member{{UserID: "U01", Name: "jdupont", RealName: "Jean Ailleurs"}}); err != nil {
		t.Fatal(err)
	}
	search := func(q string, limit int) []string {
		t.Helper()
		got, err := s.SearchMembers(ctx, "T1", q, limit)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		ids := []string{}
		for _, m := range got {
			if m.Workspace != "T1" {
				t.Fatalf("search %q: member of %s", q, m.Workspace)
			}
			ids = append(ids, m.UserID)
		}
		return ids
	}
	cases := []struct {
		q     string
		limit int
		want  []string
	}{
		{"jean", 10, []string{"U01", "U03"}}, // real names, by name; the deleted one left out
		{"JDUP", 10, []string{"U01"}},        // name
		{"dupont", 10, []string{"U01"}},      // a word of the real name
		{"fontaine", 10, []string{"U02"}},
		{"claire", 10, []string{"U02"}},
		{"marie-cl", 10, []string{"U02"}}, // the real name itself
		{"mcf@", 10, []string{"U02"}},     // email
		{"ujean", 10, []string{"UJEAN"}},  // id
		{"jean", 1, []string{"U01"}},
		{"gone", 10, []string{}},
		{"", 10, []string{"UJEAN", "U01", "U02", "U03"}},
	}
	for _, c := range cases {
		if got := search(c.q, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("search %q limit %d: %v, want %v", c.q, c.limit, got, c.want)
		}
	}
	got, err := s.SearchMembers(ctx, "T1", "jdup", 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("search: %v %v", got, err)
	}
	if m := got[0]; m.Name != "jdupont" || m.RealName != "Jean Dupont" || m.Email != "jean.dupont@acme.com" || m.UpdatedAt.IsZero() || m.UpdatedAt.Location() != time.UTC {
		t.Fatalf("member: %+v", m)
	}

	// A renamed member is found by the new words only; a member who comes
	// back is found again; an unchanged one keeps its time.
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	members[0].RealName, members[0].UpdatedAt = "Jean Durand", when
	members[3].Deleted = false
	members[2].UpdatedAt = when // same values: not a change
	if err := s.UpsertMembers(ctx, "T1", members); err != nil {
		t.Fatal(err)
	}
	if got := search("dupont", 10); len(got) != 0 {
		t.Errorf("old word still found: %v", got)
	}
	if got := search("durand", 10); !slices.Equal(got, []string{"U01"}) {
		t.Errorf("new word: %v", got)
	}
	if got := search("gone", 10); !slices.Equal(got, []string{"U04"}) {
		t.Errorf("undeleted member: %v", got)
	}
	z, _ := s.SearchMembers(ctx, "T1", "zed", 1)
	if len(z) != 1 || z[0].UpdatedAt.Equal(when) {
		t.Errorf("unchanged member was rewritten: %+v", z)
	}
	if err := s.UpsertMembers(ctx, "T1", []store.Member{{UserID: "U09"}, {UserID: "U09"}}); err == nil {
		t.Error("duplicate members accepted")
	}
	if err := s.UpsertMembers(ctx, "", members); err == nil {
		t.Error("empty workspace accepted")
	}
}
