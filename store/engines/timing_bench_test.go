package engines_test

import (
	"context"
	"path/filepath"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/internal/testneeds"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/storetest"
)

// The store's timing budgets, on each engine: searches on 100,000 members
// and mappings, a million-row job's calls. They load their data once, so
// one iteration is the measure (`go test -run '^$' -bench Timing
// ./store/engines`); a budget missed fails the benchmark, never the contract
// suite, whose verdicts do not depend on the machine.
func BenchmarkTiming(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for name, fn := range map[string]func(testing.TB, store.Store){"Search": storetest.Timing, "Job": storetest.JobTiming} {
			b.Run(engine+"/"+name, func(b *testing.B) {
				for b.Loop() {
					fn(b, benchStore(b, engine))
				}
			})
		}
	}
}

// benchStore opens a fresh store of the engine, closed when b ends.
func benchStore(b *testing.B, engine string) store.Store {
	b.Helper()
	url := "sqlite:" + filepath.Join(b.TempDir(), "store.db")
	if engine == "postgres" {
		base := postgresURL()
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			testneeds.Missing(b, "PostgreSQL at "+base, "start it there (trust auth) or set DATABASE_URL to one", err)
		}
		_ = conn.Close(context.Background())
		url = pgBenchSchema(b)
	}
	s, err := store.MigrateAndOpen(context.Background(), url)
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
