package sqlcore

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The schema of each engine is a sequence of migrations, NNNN_name.sql in
// the engine's migrations/ (embedded), applied in order by store.Migrate,
// each exactly once, and recorded in schema_migrations. Migrate runs them in
// one transaction under a lock (SQLite: the write lock of BEGIN IMMEDIATE;
// PostgreSQL: pg_advisory_xact_lock), so two processes migrating one
// database at once apply each migration once; store.Open only checks that
// none is pending. A migration is never edited after release: a change is a
// new file.

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the migrations in dir of fsys in version order,
// refusing malformed names, duplicate versions and gaps (a gap is a file
// lost in a merge, and applying around it would leave the schema wrong for
// good).
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || rest == "" {
			return nil, fmt.Errorf("migration %s/%s: name is not NNNN_name.sql", dir, name)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read Migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s: expected version %d, found %s", dir, i+1, m.Name)
		}
	}
	return ms, nil
}

// Pending returns the migrations not yet in applied, in order. A database
// that knows a version this binary does not is newer than the binary: it is
// refused rather than run against a schema the code does not know.
func Pending(all []Migration, applied map[int]bool) ([]Migration, error) {
	known := make(map[int]bool, len(all))
	var out []Migration
	for _, m := range all {
		known[m.Version] = true
		if !applied[m.Version] {
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
