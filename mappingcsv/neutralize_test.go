package mappingcsv_test

import (
	"testing"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

func TestNeutralize(t *testing.T) {
	tests := map[string]string{
		// OWASP's list.
		"=1+1":                "'=1+1",
		"+1":                  "'+1",
		"-2":                  "'-2",
		"@SUM(A1:A2)":         "'@SUM(A1:A2)",
		"\t=1":                "'\t=1",
		"\tplain":             "'\tplain",
		"\rplain":             "'\rplain",
		`=HYPERLINK("x","y")`: `'=HYPERLINK("x","y")`,
		// Behind leading whitespace.
		" =1+1":        "' =1+1",
		"   -2":        "'   -2",
		"\n@x":         "'\n@x",
		"\u00a0=1":     "'\u00a0=1",
		" \u3000 +cmd": "' \u3000 +cmd",
		// Safe.
		"":                 "",
		"   ":              "   ",
		"Ada Lovelace":     "Ada Lovelace",
		"ada@acme.com":     "ada@acme.com",
		"a=b":              "a=b",
		"'=already":        "'=already",
		"Zoë =1":           "Zoë =1",
		"\u200b=1":         "\u200b=1", // zero-width space is not whitespace: the cell starts with text
		"＝1":               "＝1",       // full-width, not in OWASP's list
		"\xff=1":           "\xff=1",
		"2024-01-02":       "2024-01-02",
		"U0123ABCD":        "U0123ABCD",
		"005000000000001A": "005000000000001A",
	}
	for in, want := range tests {
		if got := mappingcsv.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if again := mappingcsv.Neutralize(want); again != want {
			t.Errorf("Neutralize is not idempotent on %q: %q", want, again)
		}
	}
}
