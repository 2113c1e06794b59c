package mappingcsv

import (
	"errors"
	"fmt"
	"io"
)

// Summary is what Check found in a readable file.
type Summary struct {
	Header Header
	// Rows counts the data rows, malformed ones included: as many as Read
	// returns Records.
	Rows int
	// Malformed counts the rows whose Record has an Err.
	Malformed int
	// Encoding is what the file was read in (DetectEncoding); read it again
	// with NewReaderIn and this.
	Encoding Encoding
}

// Check reads a whole import file once, so that a file that will be refused
// is refused before any job starts. It refuses what NewReader and Read
// refuse; malformed rows are counted, not refused. On a refusal the Summary
// holds what was read before it. It reads the file twice: once to find its
// encoding (DetectEncoding), then from the start to read it in that.
func Check(r io.ReadSeeker, lim Limits) (Summary, error) {
	enc, err := DetectEncoding(r)
	if err != nil {
		return Summary{}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, fmt.Errorf("reading the file again: %w", err)
	}
	rd, err := NewReaderIn(r, enc, lim)
	if err != nil {
		return Summary{Encoding: enc}, err
	}
	s := Summary{Header: rd.Header(), Encoding: enc}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		s.Rows++
		if rec.Err != nil {
			s.Malformed++
		}
	}
}
