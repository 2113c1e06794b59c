package mappingcsv_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène":         "Hélène",
		"a\tb\nc\r\nd":   "a\tb\nc\r\nd",
		"U0\x00X":        "U0\uFFFDX",
		"a\x01\x1f\x7fz": "a\uFFFD\uFFFD\uFFFDz",
		"c1\u0085":       "c1\uFFFD",
		"bad\xff\xfe":    "bad\uFFFD",
	} {
		got, changed := mappingcsv.Clean(in)
		if got != want || changed != (in != want) {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

// The export never writes a control character or bytes that are not UTF-8.
func TestWriterCleans(t *testing.T) {
	var b bytes.Buffer
	w, err := mappingcsv.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(mappingcsv.Row{SlackUserID: "U0MEMBER1", SlackName: "Zo\x00\xe9", SlackEmail: "z\x1b@acme.example", UpdatedAt: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x1b") {
		t.Fatalf("%q", s)
	}
}
