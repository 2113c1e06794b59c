package mappingcsv

import (
	"errors"
	"fmt"
)

// Error is a refusal of the file, or, as [Record].Err, the reason one row is
// malformed. Its message is one line that says where and what to do, and is
// meant to be shown to the admin as is.
type Error struct {
	// Line is the 1-based line of the file the problem is on; 0 when it is
	// about the file as a whole (an empty file).
	Line int
	// Reason is the message without the line, for a result file that has
	// its own line column.
	Reason string
	// Err is the class of the problem, one of the Err* sentinels, so that
	// callers can use errors.Is rather than match messages.
	Err error
}

// Error returns "line N: reason".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// Unwrap returns the class, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// The classes of [Error]. All but ErrMalformed refuse the whole file.
var (
	// ErrEmpty: the file has no bytes, or only blank lines.
	ErrEmpty = errors.New("empty file")
	// ErrNotCSV: the file is binary, a workbook, or not UTF-8 text.
	ErrNotCSV = errors.New("not a CSV file")
	// ErrHeader: the header lacks a required column, names one twice, or
	// is not valid CSV.
	ErrHeader = errors.New("no usable header")
	// ErrNoRows: a header and nothing else.
	ErrNoRows = errors.New("no rows")
	// ErrTooManyRows: more rows than Limits.MaxRows.
	ErrTooManyRows = errors.New("too many rows")
	// ErrRowTooLong: a row longer than Limits.MaxRowBytes.
	ErrRowTooLong = errors.New("row too long")
	// ErrMalformed: one row cannot be used (only ever in Record.Err).
	ErrMalformed = errors.New("malformed row")
)

func refuse(line int, class error, format string, args ...any) *Error {
	return &Error{Line: line, Reason: fmt.Sprintf(format, args...), Err: class}
}
