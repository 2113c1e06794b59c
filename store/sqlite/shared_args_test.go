package sqlite

import (
	"database/sql"
	"reflect"
	"testing"
)

// TestSharedArgsBindEveryValue: SQLite, running the SELECT over the
// compacted arguments, gives back every row as it was, whichever columns
// are shared.
func TestSharedArgsBindEveryValue(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const width = 4
	for _, tc := range []struct {
		name       string
		rows       [][]any
		wantShared sharedColumns
	}{
		{"one row shares every column", [][]any{{int64(1), "a", nil, "x"}}, 0b1111},
		{"rows all alike", [][]any{{int64(1), "a", nil, "x"}, {int64(1), "a", nil, "x"}}, 0b1111},
		{"nothing shared", [][]any{{int64(1), "a", nil, "x"}, {int64(2), "b", int64(5), "y"}}, 0},
		{"some shared", [][]any{{int64(1), "a", nil, "x"}, {int64(1), "b", nil, "y"}, {int64(1), "c", nil, "x"}}, 0b0101},
		{"nil and a value differ", [][]any{{int64(1), "a", nil, "x"}, {int64(1), "a", int64(0), "x"}}, 0b1011},
		{"text and number differ", [][]any{{int64(1), "1", nil, "x"}, {"1", "1", nil, "x"}}, 0b1110},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []any
			for _, r := range tc.rows {
				args = append(args, r...)
			}
			shared, compact := sharedArgs(args, width)
			if shared != tc.wantShared {
				t.Fatalf("shared = %04b, want %04b", shared, tc.wantShared)
			}
			query := sharedSelect(len(tc.rows), width, shared)
			rows, err := db.Query(query, compact...)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			defer rows.Close()
			var got [][]any
			for rows.Next() {
				r := make([]any, width)
				ptrs := make([]any, width)
				for i := range r {
					ptrs[i] = &r[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.rows) {
				t.Fatalf("%s\nwith %v\ngives %v, want %v", query, compact, got, tc.rows)
			}
		})
	}
}
