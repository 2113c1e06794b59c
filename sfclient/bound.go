package sfclient

import (
	"strings"
	"unicode/utf8"
)

// A refusal line quotes what the caller gave (an --as, an org URL), which
// may be of any length: a 100,000-character --as made a 200,000-byte line.
// Bound cuts each long value, and the line as a whole, with an ellipsis.
const (
	// maxValueRunes is the longest value a line shows whole: ids, emails
	// and My Domain URLs fit.
	maxValueRunes = 80
	// maxLineBytes bounds the whole line.
	maxLineBytes = 2000
)

// Bound returns msg with every run of non-space characters longer than
// maxValueRunes cut to its start and an ellipsis, and the whole cut at
// maxLineBytes (on a rune boundary).
func Bound(msg string) string {
	if len(msg) <= maxValueRunes && !strings.ContainsAny(msg, "\n") {
		return msg
	}
	var b strings.Builder
	for i, word := range strings.Split(msg, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if utf8.RuneCountInString(word) > maxValueRunes {
			word = string([]rune(word)[:maxValueRunes-1]) + "…"
		}
		b.WriteString(word)
		if b.Len() > maxLineBytes {
			break
		}
	}
	out := b.String()
	if len(out) > maxLineBytes {
		cut := maxLineBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + "…"
	}
	return out
}
