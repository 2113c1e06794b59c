package mappingcsv_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

// excelFR is what Excel in French saves as "CSV (séparateur :
// point-virgule)": accents in the header and the values, CRLF.
const excelFR = "Prénom;Nom;slack_email;salesforce_username\r\n" +
	"Hélène;Müller;helene@acme.example;hélène.müller@acme.example\r\n" +
	"Françoise;Dœuf;francoise@acme.example;francoise@acme.example\r\n"

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readEncoded checks a file, reads it again in the encoding Check found, and
// returns that encoding, the header's columns and the rows' values.
func readEncoded(t *testing.T, data []byte) (mappingcsv.Encoding, []string, []string) {
	t.Helper()
	s, err := mappingcsv.Check(bytes.NewReader(data), mappingcsv.Limits{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if s.Malformed != 0 {
		t.Errorf("%d malformed rows", s.Malformed)
	}
	r, err := mappingcsv.NewReaderIn(bytes.NewReader(data), s.Encoding, mappingcsv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || rec.Err != nil {
			t.Fatalf("row: %v, %v", err, rec.Err)
		}
		vals = append(vals, rec.Slack, rec.Salesforce)
	}
	return s.Encoding, r.Header().Columns, vals
}

// Spreadsheets' encodings are read, accents intact, and Check says which.
func TestEncodings(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	tabbed := strings.ReplaceAll(excelFR, ";", "\t") // Excel's "Unicode text" is tab-separated
	for _, tc := range []struct {
		name string
		data []byte
		want mappingcsv.Encoding
	}{
		{"UTF-8", []byte(excelFR), mappingcsv.UTF8},
		{"UTF-8 with BOM", append([]byte("\xEF\xBB\xBF"), excelFR...), mappingcsv.UTF8},
		{"Windows-1252", encode(t, charmap.Windows1252, excelFR), mappingcsv.Windows1252},
		{"UTF-16LE with BOM", encode(t, utf16le, tabbed), mappingcsv.UTF16LE},
		{"UTF-16BE with BOM", encode(t, utf16be, tabbed), mappingcsv.UTF16BE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, cols, vals := readEncoded(t, tc.data)
			if enc != tc.want {
				t.Errorf("encoding %s, want %s", enc, tc.want)
			}
			if len(cols) != 4 || cols[0] != "Prénom" {
				t.Errorf("header %q", cols)
			}
			want := []string{"helene@acme.example", "hélène.müller@acme.example", "francoise@acme.example", "francoise@acme.example"}
			if strings.Join(vals, "|") != strings.Join(want, "|") {
				t.Errorf("values %q, want %q", vals, want)
			}
		})
	}
}

// Latin-1 text is Windows-1252 text: "Hélène" in ISO-8859-1 reads the same.
func TestLatin1(t *testing.T) {
	enc, cols, _ := readEncoded(t, encode(t, charmap.ISO8859_1, "Prénom,slack_email,salesforce_email\nHélène,h@acme.example,h@acme.example\n"))
	if enc != mappingcsv.Windows1252 || cols[0] != "Prénom" {
		t.Fatalf("%s %q", enc, cols)
	}
}

// The first accent may come long after the first 64 KiB: Check reads the
// whole file, so the file is still read as Windows-1252 to the end.
func TestEncodingOfALateAccent(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("slack_email;salesforce_username;name\r\n")
	for b.Len() < 200<<10 {
		b.WriteString("ada@acme.example;ada@acme.example;Ada\r\n")
	}
	b.Write(encode(t, charmap.Windows1252, "zoe@acme.example;zoë@acme.example;Zoë\r\n"))
	enc, _, vals := readEncoded(t, b.Bytes())
	if enc != mappingcsv.Windows1252 || vals[len(vals)-1] != "zoë@acme.example" {
		t.Fatalf("%s, last value %q", enc, vals[len(vals)-1])
	}
}

// UTF-8 stays UTF-8 when its runes straddle read boundaries or use bytes
// Windows-1252 leaves unassigned (Ё is D0 81).
func TestUTF8Boundaries(t *testing.T) {
	for _, pad := range []int{0, 1, 2, 3} {
		var b bytes.Buffer
		b.WriteString("slack_email,salesforce_username,name\n")
		for b.Len() < 64<<10-pad {
			b.WriteString("a@acme.example,a@acme.example,x\n")
		}
		b.WriteString(strings.Repeat("x", pad) + ",,Ёлка €\n")
		enc, err := mappingcsv.DetectEncoding(bytes.NewReader(b.Bytes()))
		if err != nil || enc != mappingcsv.UTF8 {
			t.Errorf("pad %d: %s, %v", pad, enc, err)
		}
	}
}

// Only bytes that fit no supported encoding are refused, with their line.
func TestEncodingRefused(t *testing.T) {
	data := "slack_email,salesforce_email\nh\xe9@acme.example,a@acme.example\nb\x81@acme.example,b@acme.example\n"
	_, err := mappingcsv.Check(strings.NewReader(data), mappingcsv.Limits{})
	if !errors.Is(err, mappingcsv.ErrNotCSV) || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "0x81") {
		t.Fatalf("Check = %v", err)
	}
}
