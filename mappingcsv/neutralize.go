package mappingcsv

import "unicode"

// Neutralize makes a cell safe to open in a spreadsheet (OWASP, "CSV
// Injection"): a cell that starts with = + - @, tab or carriage return is
// prefixed with a single quote, which spreadsheets read as "this is text".
//
// Leading whitespace does not hide a dangerous character: " =1+1" and
// "\n@SUM(A1)" are prefixed too, because some spreadsheets trim or skip
// leading whitespace before deciding whether a cell is a formula, and a
// spare quote in front of a Slack name costs nothing. Whitespace is
// unicode.IsSpace (so it includes the no-break space). Tab and carriage
// return are dangerous themselves, so a cell that starts with them is always
// prefixed. The quote is added in front of the whole cell, leading
// whitespace included, so the cell keeps its text.
//
// Neutralize is idempotent: a neutralised cell starts with a quote and is
// left alone.
func Neutralize(cell string) string {
	for _, c := range cell {
		switch {
		case dangerous(c):
			return "'" + cell
		case unicode.IsSpace(c):
			continue
		default:
			return cell
		}
	}
	return cell
}

// dangerous reports whether a cell starting with c may be run as a formula.
func dangerous(c rune) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}
