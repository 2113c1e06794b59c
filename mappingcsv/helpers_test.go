package mappingcsv_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

// Valid values of each shape, for building rows.
const (
	slackID  = "U0123ABCD"
	slackID2 = "W0123ABCDEF"
	sfID18   = "005000000000001AAA"
	sfID15   = "005000000000002"
)

// row is what a test expects of a Record: its line, values, and a piece of
// its error's reason ("" for a usable row).
type row struct {
	line          int
	slack, sf     string
	errContaining string
}

// readAll reads every record of input, stopping at io.EOF or a refusal.
func readAll(t *testing.T, input string, lim mappingcsv.Limits) (mappingcsv.Header, []mappingcsv.Record, error) {
	t.Helper()
	rd, err := mappingcsv.NewReader(strings.NewReader(input), lim)
	if err != nil {
		return mappingcsv.Header{}, nil, err
	}
	var recs []mappingcsv.Record
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return rd.Header(), recs, nil
		}
		if err != nil {
			return rd.Header(), recs, err
		}
		recs = append(recs, rec)
	}
}

// checkRows compares records with what is expected, line numbers included.
func checkRows(t *testing.T, got []mappingcsv.Record, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Slack != w.slack || g.Salesforce != w.sf {
			t.Errorf("record %d = line %d %q %q, want line %d %q %q", i, g.Line, g.Slack, g.Salesforce, w.line, w.slack, w.sf)
		}
		switch {
		case w.errContaining == "" && g.Err != nil:
			t.Errorf("record %d (line %d): unexpected error %v", i, g.Line, g.Err)
		case w.errContaining != "" && g.Err == nil:
			t.Errorf("record %d (line %d): no error, want one containing %q", i, g.Line, w.errContaining)
		case w.errContaining != "":
			var e *mappingcsv.Error
			if !errors.As(g.Err, &e) || !errors.Is(g.Err, mappingcsv.ErrMalformed) || e.Line != g.Line {
				t.Errorf("record %d: error %#v is not an *Error of class ErrMalformed on the record's line", i, g.Err)
			}
			if !strings.Contains(g.Err.Error(), w.errContaining) {
				t.Errorf("record %d: error %q does not contain %q", i, g.Err, w.errContaining)
			}
		}
	}
}
