package sqlite

import (
	"database/sql"
	"slices"
	"testing"
)

// A packed row read back from SQLite gives every value as it was, whatever
// characters the texts hold; NULL numbers read as 0.
func TestSQLitePackedRoundTrip(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts := []string{"", "a,b", "12,3,", "Éloïse \"Zoé\"\n,", "0"}
	var p string
	if err := db.QueryRow(`SELECT `+sqlitePack([]string{"?1", "NULL", "?2"}, []string{"?3", "?4", "?5", "?6", "?7"}),
		int64(-42), int64(1764070000000000), texts[0], texts[1], texts[2], texts[3], texts[4]).Scan(&p); err != nil {
		t.Fatal(err)
	}
	nums := make([]int64, 3)
	got := make([]string, 5)
	if err := sqliteUnpack(p, nums, got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nums, []int64{-42, 0, 1764070000000000}) || !slices.Equal(got, texts) {
		t.Errorf("unpacked %v %q from %q", nums, got, p)
	}
	for _, bad := range []string{"", "1,2", "1,x,0,0,", "1,2,5,", "1,2,1,ab", "1,2,-1,"} {
		if err := sqliteUnpack(bad, make([]int64, 2), make([]string, 1)); err == nil {
			t.Errorf("%q unpacked", bad)
		}
	}
}
