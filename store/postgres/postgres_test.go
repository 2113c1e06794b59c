package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/internal/testneeds"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/postgres"
	"github.com/sfconnect/sfconnect/store/storetest"
)

// postgresURL is the test server: DATABASE_URL, or the one this project's
// machines and CI always run. Without it the tests skip (fail under
// `make test`: testneeds).
func postgresURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test"
}

func TestPostgres(t *testing.T) {
	base := postgresURL()
	admin, err := pgx.Connect(context.Background(), base)
	if err != nil {
		testneeds.Missing(t, "PostgreSQL at "+base, "start it there (trust auth) or set DATABASE_URL to one", err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	storetest.Run(t, storetest.Backend{
		// Each test gets its own schema, named in the URL's search_path
		// and dropped when the test ends.
		Fresh: func(t *testing.T) string { return freshPostgres(t, base) },
		QueryInt: func(t *testing.T, u, query string) int {
			t.Helper()
			conn, err := pgx.Connect(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int
			if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		},
		ObservePages: postgres.SetPageHook,
	})
}

// freshPostgres makes a schema of its own in the PostgreSQL at base, named
// in the URL's search_path it returns and dropped when tb ends.
func freshPostgres(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(t, base, "search_path", schema)
}

// withParam adds a query parameter to a URL.
func withParam(t testing.TB, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// Tables that grow from empty within a job get statistics without
// autovacuum (off on this project's machines): the store analyzes a table
// once its writes have doubled it, in the background, and Close waits for
// that.
func TestPostgresAnalyzesWhatGrows(t *testing.T) {
	base := postgresURL()
	admin, err := pgx.Connect(context.Background(), base)
	if err != nil {
		testneeds.Missing(t, "PostgreSQL at "+base, "start it there (trust auth) or set DATABASE_URL to one", err)
	}
	admin.Close(context.Background())
	ctx := context.Background()
	u := freshPostgres(t, base)
	st, err := store.MigrateAndOpen(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	ms := make([]store.Member, 12000)
	for i := range ms {
		ms[i] = store.Member{UserID: fmt.Sprintf("U%07d", i), Name: fmt.Sprintf("m%d", i), RealName: fmt.Sprintf("Member %d", i)}
	}
	if err := st.UpsertMembers(ctx, "T1", ms); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, table := range []string{"members", "member_words"} {
		var analyzed bool
		var rows float64
		if err := conn.QueryRow(ctx, `SELECT s.last_analyze IS NOT NULL, c.reltuples FROM pg_stat_user_tables s
			JOIN pg_class c ON c.oid = s.relid WHERE s.relid = $1::regclass`, table).Scan(&analyzed, &rows); err != nil {
			t.Fatal(err)
		}
		if !analyzed || rows < 12000 {
			t.Errorf("%s: analyzed %v, %v rows in the statistics; want analyzed, 12000 or more", table, analyzed, rows)
		}
	}
}
