package engines_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
)

// BenchmarkDirectoryCopy copies a workspace's directory into the store as
// activation does (UpsertMembers in pages of 1,000 members with two-word
// real names), on SQLite and on PostgreSQL, and reports the rate of the
// first and the last tenth: a rate that falls as the table grows is a cost
// per page that grows with it.
//
//	go test ./store/engines -run '^$' -bench DirectoryCopy -benchtime 1x [-members 200000]
func BenchmarkDirectoryCopy(b *testing.B) {
	const members, page = 200_000, 1000
	engines := map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return "sqlite:" + b.TempDir() + "/store.db" },
		"postgres": pgBenchSchema,
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				st, err := store.MigrateAndOpen(ctx, engines[name](b))
				if err != nil {
					b.Fatal(err)
				}
				tenth := members / 10
				var first, last time.Duration
				start := time.Now()
				for from := 0; from < members; from += page {
					ms := make([]store.Member, page)
					for i := range ms {
						n := from + i
						ms[i] = store.Member{UserID: fmt.Sprintf("U9%08d", n), Name: fmt.Sprintf("m%d", n),
							RealName: fmt.Sprintf("Member%d Family%d", n, n%977), Email: fmt.Sprintf("m%d@bench.example", n)}
					}
					t0 := time.Now()
					if err := st.UpsertMembers(ctx, "T0BENCH", ms); err != nil {
						b.Fatal(err)
					}
					switch d := time.Since(t0); {
					case from < tenth:
						first += d
					case from >= members-tenth:
						last += d
					}
				}
				total := time.Since(start)
				st.Close()
				b.ReportMetric(float64(members)/total.Seconds(), "members/s")
				b.ReportMetric(float64(tenth)/first.Seconds(), "first-tenth/s")
				b.ReportMetric(float64(tenth)/last.Seconds(), "last-tenth/s")
			}
		})
	}
}

// pgBenchSchema is a fresh schema on the test server, dropped after.
func pgBenchSchema(b *testing.B) string {
	base := postgresURL()
	conn, err := pgx.Connect(context.Background(), base)
	if err != nil {
		b.Skipf("PostgreSQL at %s: %v", base, err)
	}
	defer conn.Close(context.Background())
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "bench_" + hex.EncodeToString(buf)
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			c.Close(context.Background())
		}
	})
	return pgURLWithSearchPath(base, schema)
}

func pgURLWithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresURL is the test server: DATABASE_URL, or the one this project's
// machines and CI run.
func postgresURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test"
}
