package store

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The schema of each dialect is a sequence of migrations, NNNN_name.sql,
// applied in order at Open, each exactly once, and recorded in
// schema_migrations. Open runs them in one transaction under a lock (SQLite:
// the write lock of BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), so
// two processes opening one database at once apply each migration once. A
// migration is never edited after release: a change is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads a dialect's migrations in version order, refusing
// malformed names, duplicate versions and gaps (a gap is a file lost in a
// merge, and applying around it would leave the schema wrong for good).
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || rest == "" {
			return nil, fmt.Errorf("migration %s/%s: name is not NNNN_name.sql", dir, name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations/%s: expected version %d, found %s", dialect, i+1, m.name)
		}
	}
	return ms, nil
}

// pending returns the migrations not yet in applied, in order. A database
// that knows a version this binary does not is newer than the binary: it is
// refused rather than run against a schema the code does not know.
func pending(all []migration, applied map[int]bool) ([]migration, error) {
	known := make(map[int]bool, len(all))
	var out []migration
	for _, m := range all {
		known[m.version] = true
		if !applied[m.version] {
			out = append(out, m)
		}
	}
	for v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("database has schema version %d, unknown to this binary (newest known: %d)", v, len(all))
		}
	}
	return out, nil
}
