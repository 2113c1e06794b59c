package mappingcsv

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replacement is what a byte that is not UTF-8, or a control character,
// becomes in a cell we write.
const Replacement = "\uFFFD"

// CleanedNote is what a result row's reason says when Clean changed one of
// its cells.
const CleanedNote = "(control characters or bytes that are not UTF-8 replaced by " + Replacement + ")"

// Clean makes a cell printable text: bytes that are not UTF-8 and control
// characters (NUL and the rest of C0 but tab and line breaks, DEL, C1) are
// replaced by Replacement; it reports whether it changed anything. What an
// upload stored comes back as it came (a malformed row is kept to show
// it), so what we write must be cleaned on the way out: a NUL or a stray
// byte in a CSV breaks the spreadsheets and scripts that read it.
func Clean(cell string) (string, bool) {
	if printable(cell) {
		return cell, false
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(cell, Replacement) {
		if unwanted(r) {
			b.WriteString(Replacement)
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unwanted(r) {
			return false
		}
	}
	return true
}

func unwanted(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	return unicode.IsControl(r)
}

// Cell is a cell as every CSV we write has it: cleaned, neutralised
// against formulas, its line breaks CRLF-ready; and whether Clean changed it.
func Cell(v string) (string, bool) {
	v, cleaned := Clean(v)
	return lineBreaks(Neutralize(v)), cleaned
}
