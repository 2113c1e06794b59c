package mappingcsv

import (
	"encoding/csv"
	"io"
	"strings"
	"time"
)

// Columns is the export's header, in order (SPEC section 5). It is the one
// place for this fact: Writer writes it, and Row's cells follow it.
var Columns = []string{
	"slack_user_id", "slack_email", "slack_name",
	"salesforce_user_id", "salesforce_username",
	"state", "source", "updated_at",
}

// Row is one mapping of the export. Its fields are in the order of Columns.
type Row struct {
	SlackUserID, SlackEmail, SlackName   string
	SalesforceUserID, SalesforceUsername string
	State, Source                        string
	// UpdatedAt is written in RFC 3339, UTC, whole seconds; a zero time is
	// an empty cell.
	UpdatedAt time.Time
}

// Writer writes the export, RFC 4180: CRLF line ends, quotes doubled, cells
// with the delimiter, a quote or a line break quoted. Every cell goes
// through Neutralize. It streams: a row is formatted into a buffer of fixed
// size and nothing is kept once it is written.
type Writer struct {
	csv   *csv.Writer
	cells []string // reused for each row: csv.Writer does not keep it
}

// NewWriter writes the header and returns a Writer. Output is buffered:
// call Flush at the end.
func NewWriter(w io.Writer) (*Writer, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return nil, err
	}
	return &Writer{csv: cw, cells: make([]string, len(Columns))}, nil
}

// Write writes one row. An error from the destination may only show at a
// later Write or at Flush, once the buffer is written out.
func (w *Writer) Write(r Row) error {
	var updated string
	if !r.UpdatedAt.IsZero() {
		updated = r.UpdatedAt.UTC().Format(time.RFC3339)
	}
	for i, v := range [...]string{
		r.SlackUserID, r.SlackEmail, r.SlackName,
		r.SalesforceUserID, r.SalesforceUsername,
		r.State, r.Source, updated,
	} {
		w.cells[i], _ = Cell(v)
	}
	return w.csv.Write(w.cells)
}

// Flush writes out what is buffered and returns the first error met while
// writing, if any.
func (w *Writer) Flush() error {
	w.csv.Flush()
	return w.csv.Error()
}

// lineBreaks writes every line break in a cell as LF, which csv.Writer (with
// UseCRLF) writes as RFC 4180's CRLF. Without it, csv.Writer would drop a
// lone CR silently and join the text around it.
func lineBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
