package sqlite

import (
	"strconv"
	"strings"
)

// A chunk of mappings often repeats most of its values: a CSV job's batch
// or an automatic mapping's has one connection, workspace, org, state,
// source, expiry, time and author. Such a chunk's INSERT binds each of those
// values once, as a numbered parameter (?1…) of a SELECT list that gives it
// to every row, and only the values that differ once per row, in a VALUES
// list (sharedSelect). Binding is what the one writer spends much of its
// time on with this driver (a C copy of each text, and a mutex taken per
// parameter): a million new mappings bind 11 values a row instead of 20.

// sharedColumns is a set of columns of a row of arguments, bit i for
// column i; sqliteMappingInsertWidth is well under 32.
type sharedColumns uint32

// sharedArgs compacts a chunk's insert arguments, rows of width values
// each: the columns whose value is the same in every row come first, once,
// then each row's other values. It reports which columns it shared. The
// values are compared with ==: they are the driver's int64, string and nil
// (a []byte would panic).
func sharedArgs(args []any, width int) (sharedColumns, []any) {
	n := len(args) / width
	var shared sharedColumns
	for c := range width {
		same := true
		for r := 1; r < n && same; r++ {
			same = args[r*width+c] == args[c]
		}
		if same {
			shared |= 1 << c
		}
	}
	out := make([]any, 0, len(args))
	for c := range width {
		if shared&(1<<c) != 0 {
			out = append(out, args[c])
		}
	}
	for r := range n {
		for c := range width {
			if shared&(1<<c) == 0 {
				out = append(out, args[r*width+c])
			}
		}
	}
	return shared, out
}

// sharedSelect is the SELECT of n rows of width columns whose arguments
// sharedArgs compacted with shared: the shared columns are numbered
// parameters (?1, ?2…), which come first in the text so that the VALUES
// list's anonymous ones number on from them:
//
//	SELECT ?1, v.column1, ?2 FROM (VALUES (?), (?)) AS v
//
// Not numbered parameters throughout: the driver looks each parameter's name
// up, and SQLite finds a number's name by a walk of every named one, which
// made a chunk's binding quadratic.
func sharedSelect(n, width int, shared sharedColumns) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	k, u := 0, 0
	for c := range width {
		if c > 0 {
			b.WriteString(", ")
		}
		if shared&(1<<c) != 0 {
			k++
			b.WriteString("?" + strconv.Itoa(k))
		} else {
			u++
			b.WriteString("v.column" + strconv.Itoa(u))
		}
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", u), ", ") + ")"
	if u == 0 {
		row = "(0)" // rows all alike: n of them still
	}
	b.WriteString(" FROM (VALUES ")
	b.WriteString(strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
	b.WriteString(") AS v")
	return b.String()
}
