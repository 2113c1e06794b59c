package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/store/sqlite"
	"github.com/sfconnect/sfconnect/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Fresh: func(t *testing.T) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "store.db")
		},
		QueryInt: func(t *testing.T, u, query string) int {
			t.Helper()
			db, err := sql.Open("sqlite", strings.TrimPrefix(u, "sqlite:"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRow(query).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		},
		ObservePages: sqlite.SetPageHook,
	})
}
