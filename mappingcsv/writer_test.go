package mappingcsv_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

var when = time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))

// writeRows writes rows and returns the file.
func writeRows(t testing.TB, rows []mappingcsv.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := mappingcsv.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterExactBytes(t *testing.T) {
	got := string(writeRows(t, []mappingcsv.Row{{
		SlackUserID: slackID, SlackEmail: "ada@acme.example", SlackName: `Lovelace, Ada "Countess"`,
		SalesforceUserID: sfID18, SalesforceUsername: "ada@acme.com", State: "linked", Source: "csv", UpdatedAt: when,
	}, {SlackName: "=1+1", SalesforceUsername: "two\nlines"}}))
	want := "slack_user_id,slack_email,slack_name,salesforce_user_id,salesforce_username,state,source,updated_at\r\n" +
		slackID + `,ada@acme.example,"Lovelace, Ada ""Countess""",` + sfID18 + ",ada@acme.com,linked,csv,2026-03-04T04:06:07Z\r\n" +
		",,'=1+1,,\"two\r\nlines\",,,\r\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestWriterHeaderOnly(t *testing.T) {
	got := string(writeRows(t, nil))
	if got != strings.Join(mappingcsv.Columns, ",")+"\r\n" {
		t.Errorf("got %q", got)
	}
}

// Every dangerous prefix, delimiters, quotes, line breaks and non-ASCII text
// come back, read by encoding/csv, as written (neutralised, and with every
// line break as LF).
func TestWriterRoundTrip(t *testing.T) {
	cells := []string{
		"=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =1", "\n-1",
		"a,b", `say "hi"`, `"`, `""`, "a\nb", "a\r\nb", "a\rb", "trailing\n", "\r\n",
		"Zoë Ñúñez", "名前", "emoji 🎉", " leading space", "trailing space ", "", `\.`, ";", "\t",
	}
	want := func(c string) string {
		c = mappingcsv.Neutralize(c)
		return strings.ReplaceAll(strings.ReplaceAll(c, "\r\n", "\n"), "\r", "\n")
	}
	var rows []mappingcsv.Row
	for i, c := range cells {
		rows = append(rows, mappingcsv.Row{
			SlackUserID: c, SlackEmail: cells[(i+1)%len(cells)], SlackName: cells[(i+2)%len(cells)],
			SalesforceUserID: cells[(i+3)%len(cells)], SalesforceUsername: cells[(i+4)%len(cells)],
			State: cells[(i+5)%len(cells)], Source: cells[(i+6)%len(cells)], UpdatedAt: when.Add(time.Duration(i) * time.Hour),
		})
	}
	file := writeRows(t, rows)

	r := csv.NewReader(bytes.NewReader(file))
	r.FieldsPerRecord = len(mappingcsv.Columns)
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got[0], "|") != strings.Join(mappingcsv.Columns, "|") {
		t.Fatalf("header = %q", got[0])
	}
	if len(got) != len(rows)+1 {
		t.Fatalf("%d records, want %d", len(got), len(rows)+1)
	}
	for i, row := range rows {
		wantCells := []string{
			want(row.SlackUserID), want(row.SlackEmail), want(row.SlackName),
			want(row.SalesforceUserID), want(row.SalesforceUsername), want(row.State), want(row.Source),
			row.UpdatedAt.UTC().Format(time.RFC3339),
		}
		for j, w := range wantCells {
			if got[i+1][j] != w {
				t.Errorf("row %d, %s = %q, want %q", i, mappingcsv.Columns[j], got[i+1][j], w)
			}
			if w != "" && strings.ContainsRune("=+-@\t\r", rune(strings.TrimLeft(w, " \n")[0])) {
				t.Errorf("row %d, %s = %q can run as a formula", i, mappingcsv.Columns[j], w)
			}
		}
	}
	// Records end in CRLF (RFC 4180), including the last one.
	if !bytes.HasSuffix(file, []byte("\r\n")) || bytes.Count(file, []byte("\n")) != bytes.Count(file, []byte("\r\n")) {
		t.Errorf("a line end is not CRLF")
	}
}

// exported decodes the export by column name, with gocsv's tags: an
// independent check that each cell sits under its own header, and that
// updated_at parses as RFC 3339.
type exported struct {
	SlackUserID        string    `csv:"slack_user_id"`
	SlackEmail         string    `csv:"slack_email"`
	SlackName          string    `csv:"slack_name"`
	SalesforceUserID   string    `csv:"salesforce_user_id"`
	SalesforceUsername string    `csv:"salesforce_username"`
	State              string    `csv:"state"`
	Source             string    `csv:"source"`
	UpdatedAt          time.Time `csv:"updated_at"`
}

func TestWriterColumnsByName(t *testing.T) {
	in := mappingcsv.Row{
		SlackUserID: slackID, SlackEmail: "ada@acme.example", SlackName: "Ada",
		SalesforceUserID: sfID18, SalesforceUsername: "ada@acme.com", State: "invited", Source: "manual", UpdatedAt: when,
	}
	var out []exported
	if err := gocsv.UnmarshalBytes(writeRows(t, []mappingcsv.Row{in}), &out); err != nil {
		t.Fatal(err)
	}
	want := exported{in.SlackUserID, in.SlackEmail, in.SlackName, in.SalesforceUserID, in.SalesforceUsername,
		in.State, in.Source, when.UTC().Truncate(time.Second)}
	if len(out) != 1 || out[0] != want {
		t.Errorf("got %+v, want %+v", out, want)
	}
}

func TestWriterZeroTime(t *testing.T) {
	file := writeRows(t, []mappingcsv.Row{{SlackUserID: slackID}})
	if !bytes.HasSuffix(file, []byte(slackID+",,,,,,,\r\n")) {
		t.Errorf("got %q", file)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// The destination's error is not lost: it shows by Flush at the latest.
func TestWriterError(t *testing.T) {
	boom := errors.New("disk full")
	w, err := mappingcsv.NewWriter(failWriter{boom})
	if err != nil {
		t.Fatal(err) // the header is only buffered
	}
	var werr error
	for i := 0; i < 1000 && werr == nil; i++ {
		werr = w.Write(mappingcsv.Row{SlackName: strings.Repeat("x", 100)})
	}
	if !errors.Is(werr, boom) {
		t.Errorf("Write = %v, want %v once the buffer is full", werr, boom)
	}
	if err := w.Flush(); !errors.Is(err, boom) {
		t.Errorf("Flush = %v, want %v", err, boom)
	}
}

// The writer streams: writing 200,000 rows leaves the heap as it was.
func TestWriterMemoryFlat(t *testing.T) {
	w, err := mappingcsv.NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	row := mappingcsv.Row{
		SlackUserID: slackID, SlackEmail: "ada@acme.example", SlackName: "=Lovelace, \"Ada\"\nCountess",
		SalesforceUserID: sfID18, SalesforceUsername: "ada@acme.com", State: "linked", Source: "csv", UpdatedAt: when,
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 200_000 {
		row.UpdatedAt = when.Add(time.Duration(i) * time.Second)
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap before %d, after %d, grown %d bytes; %d bytes allocated in all", before.HeapAlloc, after.HeapAlloc, grown, after.TotalAlloc-before.TotalAlloc)
	if grown > 64<<10 {
		t.Errorf("the heap grew by %d bytes over 200,000 rows", grown)
	}
	runtime.KeepAlive(w)
}
