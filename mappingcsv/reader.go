package mappingcsv

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Record is one row of the import, in file order.
type Record struct {
	// Line is the 1-based line of the file where the row starts (a quoted
	// value may continue on the next lines).
	Line int
	// Slack and Salesforce are the row's values of the Header's Slack and
	// Salesforce columns, trimmed. They are set whenever the row has those
	// columns, malformed or not, so that a result file can show them; in a
	// malformed row they may be empty, too long or not UTF-8.
	Slack, Salesforce string
	// Err is nil for a usable row; for a malformed one, an *Error of class
	// ErrMalformed with the reason. A malformed row never stops the reader.
	Err error
}

// Reader streams the rows of an import file. It keeps one row in memory at
// a time; the strings of a Record stay valid after the next Read.
type Reader struct {
	csv   *csv.Reader
	guard *rowGuard
	lim   Limits
	hdr   Header
	bom   int64
	enc   Encoding
	rows  int
	// endLine is the line the last row (or the header) ended on: errors
	// that come before encoding/csv has a row to point at are reported on
	// the line after it.
	endLine int
	err     error // sticky: io.EOF or a refusal
}

// NewReader reads the header of an import file and detects its delimiter.
// It refuses, with an *Error, a file that is empty, is not CSV text, or has
// no usable header. A file with a header and no rows is refused at the
// first Read (ErrNoRows), so that NewReader never reads past the header.
//
// Its encoding is sniffed from the start of the file (UTF-16 by its byte
// order mark, else UTF-8 unless the first 64 KiB are not, then
// Windows-1252); Check, which reads the whole file first, knows it for
// sure, and NewReaderIn takes what it found.
func NewReader(r io.Reader, lim Limits) (*Reader, error) {
	raw := bufio.NewReaderSize(r, bufSize)
	return NewReaderIn(raw, sniffEncoding(raw), lim)
}

// NewReaderIn is NewReader for a file known to be in enc (DetectEncoding,
// Summary.Encoding): every Record's values, and the header, are UTF-8.
func NewReaderIn(r io.Reader, enc Encoding, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	if enc == "" {
		enc = UTF8
	}
	// Workbooks and archives are told apart by their raw first bytes,
	// before any decoding could disguise them.
	raw, ok := r.(*bufio.Reader)
	if !ok || raw.Size() < bufSize {
		raw = bufio.NewReaderSize(r, bufSize)
	}
	if err := refuseSignatures(raw); err != nil {
		return nil, err
	}
	src, err := decoder(raw, enc)
	if err != nil {
		return nil, err
	}
	// The guard counts decoded bytes, as encoding/csv's offsets do.
	guard := &rowGuard{src: src, max: int64(lim.MaxRowBytes) + bufSize}
	br := bufio.NewReaderSize(guard, bufSize)
	first, bom, err := sniff(br)
	if err != nil {
		return nil, readFailure(err, 1, lim)
	}
	if len(first) == 0 {
		return nil, emptyFile()
	}
	delim := detectDelimiter(first)

	// br is a *bufio.Reader at least as large as csv's own, so csv uses it
	// as is: one buffer, and the guard under it sees every byte.
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // ragged rows are malformed rows, not read errors
	cr.ReuseRecord = true
	rd := &Reader{csv: cr, guard: guard, lim: lim, bom: int64(bom), enc: enc}

	cells, err := cr.Read()
	switch pe := parseError(err); {
	case err == io.EOF:
		return nil, emptyFile()
	case pe != nil:
		return nil, refuse(pe.StartLine, ErrHeader, "the header is not valid CSV (%v): fix its quotes", pe.Err)
	case err != nil:
		return nil, readFailure(err, 1, lim)
	}
	line, _ := cr.FieldPos(0)
	rd.hdr, err = parseHeader(cells, line, delim)
	if err != nil {
		return nil, err
	}
	rd.rowDone(cells)
	return rd, nil
}

// Encoding is the encoding the file is read in.
func (r *Reader) Encoding() Encoding { return r.enc }

// Header returns what the header row said. Its slices are shared: do not
// change them.
func (r *Reader) Header() Header { return r.hdr }

// Read returns the next row, or io.EOF after the last one. A malformed row
// is a Record with Err set and a nil error. The error is an *Error when the
// whole file must be refused (no rows, too many rows, a row too long), or
// the source's own read error; either way every later Read returns it too.
func (r *Reader) Read() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	cells, err := r.csv.Read()
	if err == io.EOF {
		r.err = io.EOF
		if r.rows == 0 {
			r.err = refuse(r.endLine+1, ErrNoRows, "the file has a header but no rows: add one row per member to map")
		}
		return Record{}, r.err
	}
	var pe *csv.ParseError
	if err != nil {
		if pe = parseError(err); pe == nil {
			r.err = readFailure(err, r.endLine+1, r.lim)
			return Record{}, r.err
		}
	}
	var line int
	if pe != nil {
		line = pe.StartLine
	} else {
		line, _ = r.csv.FieldPos(0)
	}

	r.rows++
	if r.rows > r.lim.MaxRows {
		r.err = refuse(line, ErrTooManyRows,
			"the file has more than %d rows: split it into files of at most %d rows", r.lim.MaxRows, r.lim.MaxRows)
		return Record{}, r.err
	}
	if pe != nil {
		// encoding/csv has dropped the rest of the line the error is on, and
		// reads on from the next one.
		r.endLine = pe.Line
		r.guard.base = r.bom + r.csv.InputOffset()
		return Record{Line: line, Err: malformed(line, quoteReason(pe))}, nil
	}

	r.rowDone(cells)
	rec := Record{Line: line}
	if len(cells) > r.hdr.slackCol && len(cells) > r.hdr.salesforceCol {
		rec.Slack = strings.TrimSpace(cells[r.hdr.slackCol])
		rec.Salesforce = strings.TrimSpace(cells[r.hdr.salesforceCol])
	}
	if len(cells) != len(r.hdr.Columns) {
		rec.Err = malformed(line, fmt.Sprintf(
			"the row has %s and the header %d: check this row's delimiters and quotes", fields(len(cells)), len(r.hdr.Columns)))
		return rec, nil
	}
	if reason := r.checkValue(r.hdr.Slack, r.hdr.slackCol, rec.Slack); reason != "" {
		rec.Err = malformed(line, reason)
	} else if reason := r.checkValue(r.hdr.Salesforce, r.hdr.salesforceCol, rec.Salesforce); reason != "" {
		rec.Err = malformed(line, reason)
	}
	return rec, nil
}

// rowDone records where the row just read ends, for the line of the next
// error and for the guard's count.
func (r *Reader) rowDone(cells []string) {
	last := len(cells) - 1
	line, _ := r.csv.FieldPos(last)
	// A quoted value spans one line more per line break in it (encoding/csv
	// turns each CRLF in a value into one LF).
	r.endLine = line + strings.Count(cells[last], "\n")
	r.guard.base = r.bom + r.csv.InputOffset()
}

func (r *Reader) checkValue(k Key, col int, v string) string {
	problem := checkValue(k, v, r.lim.MaxFieldBytes)
	if problem == "" {
		return ""
	}
	return fmt.Sprintf("column %q %s", r.hdr.Columns[col], problem)
}

func fields(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}

// parseError returns err as a *csv.ParseError, or nil. A function of its own
// so that the pointer errors.As needs is allocated only when there is an
// error, not once per row.
func parseError(err error) *csv.ParseError {
	var pe *csv.ParseError
	if err == nil || !errors.As(err, &pe) {
		return nil
	}
	return pe
}

func malformed(line int, reason string) *Error {
	return &Error{Line: line, Reason: reason, Err: ErrMalformed}
}

func quoteReason(pe *csv.ParseError) string {
	if errors.Is(pe.Err, csv.ErrBareQuote) {
		return fmt.Sprintf("a quote inside an unquoted value (line %d, column %d): put the whole value in quotes and double the quotes inside it",
			pe.Line, pe.Column)
	}
	return fmt.Sprintf("a quote that is not doubled inside a quoted value, or never closed (line %d, column %d): double every quote inside a quoted value",
		pe.Line, pe.Column)
}

func emptyFile() *Error {
	return refuse(0, ErrEmpty, "the file is empty: add a header row (for example slack_user_id,salesforce_user_id) and one row per member")
}

// readFailure turns the guard's trip into a refusal; the source's own errors
// (a closed pipe, a network failure) pass through with where they happened.
func readFailure(err error, line int, lim Limits) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, ErrRowTooLong):
		return refuse(line, ErrRowTooLong,
			"a row longer than %d bytes, so this is not a mapping CSV or a quote is never closed: check the file from this line on",
			lim.MaxRowBytes)
	}
	return fmt.Errorf("mappingcsv: reading line %d: %w", line, err)
}
