package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// oldSQLiteStore makes a database of the first version migrations, as a
// store of that version left it, and returns its path, a function that
// runs a statement in it, and one that closes it.
func oldSQLiteStore(t *testing.T, version int) (path string, exec func(q string, args ...any), done func()) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all[:version] {
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	exec = func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	done = func() {
		t.Helper()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return path, exec, done
}

// A database made before chunks (schema 5), with a job whose rows are in
// job_rows (validated, applied) and in job_input (uploaded only), opens
// with every row as it was, its counts unchanged, and the old tables gone.
func TestSQLiteChunksOldJobRows(t *testing.T) {
	ctx := context.Background()
	path, exec, done := oldSQLiteStore(t, 5)
	exec(`INSERT INTO jobs (num, id, workspace, org_id, connection_id, file_name, created_by, slack_column, salesforce_column, row_count, created_at)
		VALUES (7, 'J1', 'T1', '00D1', 'C1', 'f.csv', 'U1', 'slack_user_id', 'salesforce_username', 2503, 0)`)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	want := map[int]store.JobRow{}
	for seq := range 2503 {
		r := store.JobRow{Seq: seq, Line: seq + 2, SlackKey: fmt.Sprintf("U%05d", seq), SalesforceKey: fmt.Sprintf("u%d@acme.example", seq)}
		if seq < 1500 { // validated, and the first 700 applied
			r.SlackUserID, r.SlackEmail, r.SlackName = r.SlackKey, fmt.Sprintf("m%d@t.example", seq), "Ame Nom"
			r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail = fmt.Sprintf("005%015d", seq), r.SalesforceKey, r.SalesforceKey
			r.Plan, r.UpdatedAt = store.OutcomeInvited, at
			if seq < 700 {
				r.Outcome = store.OutcomeInvited
			}
			if seq%100 == 0 {
				r.Plan, r.Outcome, r.Reason, r.SlackUserID = store.OutcomeRefused, store.OutcomeRefused, "unknown Slack member", ""
			}
			exec(`INSERT INTO job_rows (job, seq, line, slack_key, salesforce_key, slack_user_id, slack_email, slack_name,
				salesforce_user_id, salesforce_username, salesforce_email, plan, outcome, reason, moves, updated_at)
				VALUES (7, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, r.Line, r.SlackKey, r.SalesforceKey,
				r.SlackUserID, r.SlackEmail, r.SlackName, r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail,
				string(r.Plan), string(r.Outcome), r.Reason, seq%7 == 0, r.UpdatedAt.UnixMicro())
			r.Moves = seq%7 == 0
		} else {
			exec(`INSERT INTO job_input (job, seq, line, slack_key, salesforce_key) VALUES (7, ?, ?, ?, ?)`, r.Seq, r.Line, r.SlackKey, r.SalesforceKey)
		}
		want[seq] = r
	}
	exec(`INSERT INTO job_counts VALUES (7, '', '', 0, '', 1003)`)
	done()

	st, err := openSQLite(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.JobRows(ctx, "J1", 0, 3000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows after the migration, want %d", len(got), len(want))
	}
	for _, r := range got {
		if r != want[r.Seq] {
			t.Fatalf("row %d after the migration:\n%+v\nwant\n%+v", r.Seq, r, want[r.Seq])
		}
	}
	c, err := st.JobCounts(ctx, "J1")
	if err != nil || c.Rows != 1003 {
		t.Fatalf("counts after the migration: %+v, %v", c, err)
	}
	var tables int
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name IN ('job_rows', 'job_input')`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("old tables left: %d, %v", tables, err)
	}
	var invited int
	if err := st.r.QueryRowContext(ctx, `SELECT sum(invited) FROM job_chunks`).Scan(&invited); err != nil || invited != 693 {
		t.Fatalf("invited rows recorded in chunks: %d, %v; want 693", invited, err)
	}
}

// A store whose schema is up to date opens while another process holds
// the write lock (a worker writing batch after batch): opening needs no
// write.
func TestSQLiteOpensBesideAWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	first, err := openSQLite(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	tx, err := first.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	start := time.Now()
	second, err := openSQLite(ctx, path, true)
	if err != nil {
		t.Fatalf("open beside a writer: %v", err)
	}
	defer second.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("open beside a writer took %v: it waited for the lock", took)
	}
}

// A database made before connection numbers (schema 8) opens with its
// mappings as they were, found by member, by Salesforce user and by search.
func TestSQLiteNumbersOldMappings(t *testing.T) {
	ctx := context.Background()
	path, exec, done := oldSQLiteStore(t, 8)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	want := []store.Mapping{
		{ConnectionID: "T1-00DA-1", SlackUserID: "U1", Workspace: "T1", OrgID: "00DA", SlackEmail: "Ana@T1.example", SlackName: "Ana",
			SalesforceUserID: "005A", SalesforceUsername: "ana@a.example", SalesforceEmail: "ana@a.example",
			State: store.StateLinked, Source: store.SourceCSV, CreatedAt: at, UpdatedAt: at, UpdatedBy: "job J"},
		{ConnectionID: "T1-00DB-2", SlackUserID: "U1", Workspace: "T1", OrgID: "00DB", SlackEmail: "Ana@T1.example", SlackNameID: "ana",
			SlackName: "Ana", SalesforceUserID: "005B", SalesforceUsername: "ana@b.example", SalesforceEmail: "other@b.example",
			State: store.StateInvited, Source: store.SourceManual, InviteExpiresAt: at.Add(time.Hour), CreatedAt: at, UpdatedAt: at, UpdatedBy: "U9"},
	}
	for _, m := range want {
		exec(`INSERT INTO mappings (`+sqlcore.MappingInsertCols+`) VALUES `+valuesList(1, sqlcore.MappingInsertWidth),
			sqlcore.AppendMappingArgs(nil, &m, sqliteTime)...)
	}
	done()

	st, err := openSQLite(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, w := range want {
		got, ok, err := st.GetMapping(ctx, w.ConnectionID, w.SlackUserID)
		if err != nil || !ok || got != w {
			t.Fatalf("mapping of %s after the migration: %+v, %v, %v; want %+v", w.ConnectionID, got, ok, err, w)
		}
		held, ok, err := st.FindBySalesforceUser(ctx, w.ConnectionID, w.SalesforceUserID)
		if err != nil || !ok || held != w {
			t.Fatalf("holder of %s after the migration: %+v, %v, %v", w.SalesforceUserID, held, ok, err)
		}
		found, err := st.SearchMappings(ctx, w.ConnectionID, w.SalesforceUsername[:4], 10)
		if err != nil || len(found) != 1 || found[0] != w {
			t.Fatalf("search of %s after the migration: %+v, %v", w.ConnectionID, found, err)
		}
	}
	if n, err := st.ExpireInvitations(ctx, want[1].ConnectionID, at.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("expire after the migration: %d, %v", n, err)
	}
}
