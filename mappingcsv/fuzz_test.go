package mappingcsv_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

// FuzzReader: the reader never panics; records come in strictly increasing
// line order, each within the file; a malformed row's error is on its own
// line; a usable row's values are non-empty UTF-8; refusals are *Errors;
// and Check counts exactly what Read returns.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"slack_user_id,salesforce_user_id\n" + slackID + "," + sfID18 + "\n",
		"\uFEFFslack_email;salesforce_email\r\na@b;c@d\r\n\"x\n\";y\r\n",
		"Slack ID\tSF Username\tname\n" + slackID + "\tada@acme.com\t\"a\"\"b\"\n",
		"slack_user_id,salesforce_user_id\n\"" + slackID + "," + sfID18 + "\n",
		"slack_user_id,salesforce_user_id\nU\"1,2\n" + slackID + "\n",
	} {
		f.Add([]byte(s))
	}
	lim := mappingcsv.Limits{MaxRows: 50, MaxFieldBytes: 64, MaxRowBytes: 256}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		// As an import reads: the encoding from the whole file, then the
		// rows in it (Check must agree with that reading).
		enc, err := mappingcsv.DetectEncoding(bytes.NewReader(data))
		var rd *mappingcsv.Reader
		if err == nil {
			rd, err = mappingcsv.NewReaderIn(bytes.NewReader(data), enc, lim)
		}
		var refusal error
		var records, malformed int
		if err != nil {
			refusal = err
		} else {
			prev := 0
			for {
				rec, err := rd.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					refusal = err
					break
				}
				records++
				if rec.Line <= prev || rec.Line > lines {
					t.Fatalf("record %d: line %d after line %d, in a file of %d lines", records, rec.Line, prev, lines)
				}
				prev = rec.Line
				if rec.Err != nil {
					malformed++
					var e *mappingcsv.Error
					if !errors.As(rec.Err, &e) || !errors.Is(rec.Err, mappingcsv.ErrMalformed) || e.Line != rec.Line {
						t.Fatalf("record on line %d: error %#v", rec.Line, rec.Err)
					}
					continue
				}
				for _, v := range []string{rec.Slack, rec.Salesforce} {
					if v == "" || !utf8.ValidString(v) || len(v) > lim.MaxFieldBytes || strings.TrimSpace(v) != v {
						t.Fatalf("usable record on line %d has value %q", rec.Line, v)
					}
				}
			}
		}
		if refusal != nil {
			var e *mappingcsv.Error
			if !errors.As(refusal, &e) || errors.Is(refusal, mappingcsv.ErrMalformed) || strings.ContainsAny(refusal.Error(), "\r\n") {
				t.Fatalf("refusal %#v is not a one-line *Error", refusal)
			}
		}

		s, cerr := mappingcsv.Check(bytes.NewReader(data), lim)
		if (cerr == nil) != (refusal == nil) || cerr != nil && cerr.Error() != refusal.Error() {
			t.Fatalf("Check refused with %v, Read with %v", cerr, refusal)
		}
		if s.Rows != records || s.Malformed != malformed {
			t.Fatalf("Check counted %d rows (%d malformed), Read returned %d (%d)", s.Rows, s.Malformed, records, malformed)
		}
	})
}

// FuzzNeutralize: a neutralised cell never starts, even after whitespace,
// with a character a spreadsheet runs; it is the cell or the cell behind a
// quote; and written by Writer and read back by encoding/csv it is what
// Neutralize said, with every line break as LF.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"", "=1+1", " -1", "\t@", "\r\n=x", "Ada", "'=x", "a\"b,c", "\u00a0+1", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		out := mappingcsv.Neutralize(cell)
		if out != cell && out != "'"+cell {
			t.Fatalf("Neutralize(%q) = %q changes the text", cell, out)
		}
		if startsDangerous(out) {
			t.Fatalf("Neutralize(%q) = %q can run as a formula", cell, out)
		}
		if mappingcsv.Neutralize(out) != out {
			t.Fatalf("Neutralize is not idempotent on %q", cell)
		}

		var buf bytes.Buffer
		w, err := mappingcsv.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(mappingcsv.Row{SlackName: cell}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		// What is written is the cleaned cell (Clean), neutralised.
		want, _ := mappingcsv.Cell(cell)
		if len(got) != 2 || got[1][2] != want || !utf8.ValidString(got[1][2]) {
			t.Fatalf("cell %q read back as %q, want %q", cell, got, want)
		}
		if startsDangerous(got[1][2]) {
			t.Fatalf("cell %q read back as %q, which can run as a formula", cell, got[1][2])
		}
	})
}

// startsDangerous reports whether s, after leading whitespace, starts with a
// character OWASP lists.
func startsDangerous(s string) bool {
	for _, c := range s {
		if strings.ContainsRune("=+-@\t\r", c) {
			return true
		}
		if !unicode.IsSpace(c) {
			return false
		}
	}
	return false
}
