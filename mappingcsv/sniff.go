package mappingcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"unicode/utf8"
)

// bufSize is the read buffer, and so the longest first line we look at to
// detect the delimiter. Larger than bufio's default because a bigger buffer
// means fewer reads on a million-row file.
const bufSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// signatures are the starts of files that admins upload by mistake in place
// of a CSV, with what to do; a generic "not UTF-8" would not tell them.
var signatures = []struct {
	magic  []byte
	reason string
}{
	{[]byte("PK\x03\x04"), "this is an Excel workbook or another zip file, not CSV: save it as CSV UTF-8"},
	{[]byte("\xD0\xCF\x11\xE0"), "this is an Excel 97-2003 workbook, not CSV: save it as CSV UTF-8"},
	{[]byte("\x1F\x8B"), "this is a gzip archive: decompress it first"},
	{[]byte("%PDF"), "this is a PDF, not CSV: export the mapping as CSV UTF-8"},
}

// refuseSignatures refuses a file whose first bytes say it is no CSV.
func refuseSignatures(br *bufio.Reader) error {
	// A read error here shows again, or not, when the reader reads on.
	start, _ := br.Peek(4)
	for _, s := range signatures {
		if bytes.HasPrefix(start, s.magic) {
			return refuse(0, ErrNotCSV, "%s", s.reason)
		}
	}
	return nil
}

// sniff skips a UTF-8 byte order mark, refuses what is plainly not CSV text,
// and returns the first non-blank line (with its line end) and how many
// bytes of BOM it skipped. An empty first line means an empty file.
func sniff(br *bufio.Reader) (first []byte, bom int, err error) {
	// A read error here shows again, or not, when peekLine reads on.
	start, _ := br.Peek(4)
	if bytes.HasPrefix(start, utf8BOM) {
		bom, _ = br.Discard(len(utf8BOM))
	}
	first, blank, err := peekLine(br)
	if err != nil {
		return nil, bom, err
	}
	line := 1 + blank
	if bytes.IndexByte(first, 0) >= 0 {
		return nil, bom, refuse(line, ErrNotCSV, "the file has NUL bytes, so it is binary, not CSV: save it as CSV UTF-8")
	}
	if !utf8.Valid(first) {
		return nil, bom, refuse(line, ErrNotCSV, "the header is not UTF-8 text: save the file as CSV UTF-8")
	}
	// encoding/csv ends lines at LF only: a file with classic Mac line ends
	// would read as one long header.
	if i := bytes.IndexByte(first, '\r'); i >= 0 && i+1 < len(first) && first[i+1] != '\n' {
		return nil, bom, errCROnly(line)
	}
	return first, bom, nil
}

func errCROnly(line int) *Error {
	return refuse(line, ErrNotCSV, "the lines end in CR alone (old Mac format): save the file as CSV UTF-8, with CRLF or LF line ends")
}

// peekLine returns the first line that is not blank, without consuming it,
// and how many blank lines precede it; encoding/csv skips the same lines.
func peekLine(br *bufio.Reader) (line []byte, blank int, err error) {
	for n := 512; ; n *= 2 {
		if n > bufSize {
			n = bufSize
		}
		buf, perr := br.Peek(n)
		rest, blank := skipBlank(buf)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			// A read error after the line is csv's to meet, on its row.
			return rest[:i+1], blank, nil
		}
		switch {
		case perr == io.EOF:
			return rest, blank, nil
		case perr != nil:
			return nil, 0, perr
		}
		if n == bufSize {
			if bytes.IndexByte(rest, '\r') >= 0 {
				return nil, 0, errCROnly(1 + blank)
			}
			return nil, 0, refuse(1+blank, ErrNotCSV,
				"the first line is longer than %d KiB, so this is not a mapping CSV: check the file", bufSize>>10)
		}
	}
}

func skipBlank(b []byte) ([]byte, int) {
	n := 0
	for {
		switch {
		case bytes.HasPrefix(b, []byte("\n")):
			b = b[1:]
		case bytes.HasPrefix(b, []byte("\r\n")):
			b = b[2:]
		default:
			return b, n
		}
		n++
	}
}

// delimiters are the candidates, in the order that breaks ties.
var delimiters = []rune{',', ';', '\t'}

// detectDelimiter returns the delimiter that splits the header line into the
// most recognised column names; ties, and lines with none, go to comma.
func detectDelimiter(line []byte) rune {
	best, bestN := delimiters[0], -1
	for _, d := range delimiters {
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true // only counting names here; the real read is strict
		cells, err := r.Read()
		if err != nil {
			continue
		}
		n := 0
		for _, c := range cells {
			if _, ok := keyOf(c); ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = d, n
		}
	}
	return best
}
