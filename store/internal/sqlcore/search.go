package sqlcore

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Searches are prefix range scans over lower-cased copies of the searched
// columns (the *_lc columns), which the store computes in Go rather than in
// SQL: SQLite's lower() folds ASCII only and PostgreSQL's depends on the
// database's locale, while the query is folded here, so both sides must be
// folded by the same code. The copies are compared bytewise (SQLite's BINARY
// collation, PostgreSQL's "C"), which for UTF-8 is code point order: every
// string that starts with p lies in [p, successor(p)).

// Fold is the normalisation of every searched value and every query:
// surrounding spaces trimmed, case folded.
func Fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// PrefixRange returns the bounds lo <= x < hi of the strings that start with
// the folded query q.
func PrefixRange(q string) (lo, hi string) {
	return q, successor(q)
}

// successor returns the smallest string greater than every string that
// starts with p, in code point order: p with its last rune incremented. Runes
// that cannot be incremented (U+10FFFF) are dropped first; for a p made only
// of them, which no one types, it gives a bound that misses only strings
// continuing with U+10FFFF.
func successor(p string) string {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		base := p[:len(p)-size]
		switch {
		case r == utf8.RuneError && size <= 1:
			// Invalid UTF-8 cannot be stored; let it match nothing wider
			// than itself.
			return p + string(utf8.MaxRune)
		case r == utf8.MaxRune:
			p = base
			continue
		case r == 0xD7FF:
			// The surrogates are not encodable: the next rune is U+E000.
			return base + string(rune(0xE000))
		default:
			return base + string(r+1)
		}
	}
	return strings.Repeat(string(utf8.MaxRune), 4)
}

// RealNameWords returns the folded words of a real name after the first,
// for the "any word of the real name" member search (the first word is
// already a prefix of the whole real name, which has its own index).
// Duplicates are dropped: each word is one row of member_words.
func RealNameWords(realName string) []string {
	folded := Fold(realName)
	words := strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	var out []string
	seen := map[string]bool{}
	for i, w := range words {
		if i == 0 && strings.HasPrefix(folded, w) {
			continue
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
