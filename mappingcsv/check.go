package mappingcsv

import (
	"errors"
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
}

// Check reads a whole import file once, so that a file that will be refused
// is refused before any job starts. It refuses what NewReader and Read
// refuse; malformed rows are counted, not refused. On a refusal the Summary
// holds what was read before it.
func Check(r io.Reader, lim Limits) (Summary, error) {
	rd, err := NewReader(r, lim)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Header: rd.Header()}
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
