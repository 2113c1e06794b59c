package mappingcsv

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Header is what the import's header row says: how the file is delimited and
// which columns identify each side.
type Header struct {
	// Delimiter is ',', ';' or '\t'.
	Delimiter rune
	// Slack and Salesforce are the keys the file identifies members by.
	Slack, Salesforce Key
	// Columns are the header's cells as found (untrimmed), in file order.
	Columns []string
	// Extra are the columns that are not used, in file order: unknown ones
	// and candidates that lost to a preferred column of the same side.
	Extra []string

	slackCol, salesforceCol int // indexes into Columns
}

// parseHeader picks the Slack and Salesforce columns of a header record
// found at line.
func parseHeader(cells []string, line int, delim rune) (Header, error) {
	for _, c := range cells {
		if !utf8.ValidString(c) || strings.IndexByte(c, 0) >= 0 {
			return Header{}, refuse(line, ErrNotCSV, "the header is not UTF-8 text: save the file as CSV UTF-8")
		}
	}
	pos := map[Key]int{}
	for i, c := range cells {
		k, ok := keyOf(c)
		if !ok {
			continue
		}
		if j, dup := pos[k]; dup {
			return Header{}, refuse(line, ErrHeader,
				"columns %d (%q) and %d (%q) both hold the %s: keep one of them", j+1, cells[j], i+1, c, k)
		}
		pos[k] = i
	}
	h := Header{Delimiter: delim, Columns: append([]string(nil), cells...)}
	var okSlack, okSF bool
	h.Slack, h.slackCol, okSlack = pick(pos, slackKeys)
	h.Salesforce, h.salesforceCol, okSF = pick(pos, salesforceKeys)
	switch {
	case !okSlack && !okSF:
		return Header{}, refuse(line, ErrHeader,
			"no Slack or Salesforce column (found %s): add one of %s and one of %s",
			found(cells), oneOf(slackKeys), oneOf(salesforceKeys))
	case !okSlack:
		return Header{}, refuse(line, ErrHeader, "no Slack column: add one of %s", oneOf(slackKeys))
	case !okSF:
		return Header{}, refuse(line, ErrHeader, "no Salesforce column: add one of %s", oneOf(salesforceKeys))
	}
	for i, c := range cells {
		if i != h.slackCol && i != h.salesforceCol {
			h.Extra = append(h.Extra, c)
		}
	}
	return h, nil
}

// pick returns the preferred key of one side that the header has.
func pick(pos map[Key]int, prefs []Key) (Key, int, bool) {
	for _, k := range prefs {
		if i, ok := pos[k]; ok {
			return k, i, true
		}
	}
	return 0, -1, false
}

func oneOf(keys []Key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	return strings.Join(names, ", ")
}

// found lists the first header cells, so that an admin whose file was split
// wrongly (another delimiter, a stray title row) sees what was read.
func found(cells []string) string {
	const most = 5
	var b strings.Builder
	for i, c := range cells {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(cells)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if r := []rune(c); len(r) > 40 {
			c = string(r[:40]) + "…"
		}
		fmt.Fprintf(&b, "%q", c)
	}
	return b.String()
}
