package mappingcsv

// Limits bound what a file may hold, so that a wrong or hostile file costs
// bounded memory and is refused before any job starts. A zero (or negative)
// field means its default.
type Limits struct {
	// MaxRows is the most data rows (malformed ones included) a file may
	// have. Default DefaultMaxRows.
	MaxRows int
	// MaxFieldBytes is the most bytes a used value may have after trimming;
	// a longer one makes its row malformed. Extra columns are not checked.
	// Default DefaultMaxFieldBytes.
	MaxFieldBytes int
	// MaxRowBytes is the most bytes one row may take in the file, quoted
	// line breaks included; a longer row refuses the file. It is enforced
	// on the bytes read ahead, so a row is refused somewhere between
	// MaxRowBytes and MaxRowBytes+64 KiB. Default DefaultMaxRowBytes: a
	// row of a mapping file is well under 1 KiB even with extra columns,
	// so a megabyte means a binary file or a quote that is never closed.
	MaxRowBytes int
}

// The defaults of Limits.
const (
	DefaultMaxRows       = 5_000_000
	DefaultMaxFieldBytes = 1024
	DefaultMaxRowBytes   = 1 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxFieldBytes <= 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if l.MaxRowBytes <= 0 {
		l.MaxRowBytes = DefaultMaxRowBytes
	}
	return l
}
