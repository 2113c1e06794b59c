package mappingcsv

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is the character encoding a file was read in. Spreadsheets do
// not all save UTF-8: Excel on Windows in Western Europe saves "CSV
// (séparateur : point-virgule)" in Windows-1252, and "Unicode text" in
// UTF-16 with a byte order mark.
type Encoding string

// The encodings an import may be in.
const (
	UTF8    Encoding = "UTF-8"
	UTF16LE Encoding = "UTF-16LE"
	UTF16BE Encoding = "UTF-16BE"
	// Windows1252 also reads Latin-1 (ISO-8859-1) text: the two differ only
	// in 0x80-0x9F, which Latin-1 gives to control characters no text has.
	Windows1252 Encoding = "Windows-1252"
)

var (
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// cp1252Undefined are the five bytes Windows-1252 leaves unassigned: a file
// that is not UTF-8 and holds one of them is in no encoding we read.
var cp1252Undefined = [256]bool{0x81: true, 0x8D: true, 0x8F: true, 0x90: true, 0x9D: true}

// DetectEncoding reads a whole file and says which encoding to read it in:
// UTF-16 when it starts with a UTF-16 byte order mark; UTF-8 when every
// byte sequence is valid UTF-8 (with or without its BOM); else
// Windows-1252, unless a byte is one Windows-1252 leaves unassigned, which
// is refused (ErrNotCSV) with its line. Reading the file whole is what
// makes the answer right for a file whose first accent comes late.
func DetectEncoding(r io.Reader) (Encoding, error) {
	br := bufio.NewReaderSize(r, bufSize)
	start, _ := br.Peek(2)
	switch {
	case bytes.HasPrefix(start, utf16LEBOM):
		return UTF16LE, nil
	case bytes.HasPrefix(start, utf16BEBOM):
		return UTF16BE, nil
	}
	valid := true
	line, undefinedLine := 1, 0
	undefined := byte(0)
	var carry []byte // an incomplete rune at the end of the last chunk
	buf := make([]byte, bufSize)
	for {
		n, err := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		carry = nil
		for _, b := range chunk[len(chunk)-n:] {
			switch {
			case b == '\n':
				line++
			case undefinedLine == 0 && cp1252Undefined[b]:
				// Fine in UTF-8 (a continuation byte); fatal if it is not.
				undefinedLine, undefined = line, b
			}
		}
		if valid {
			cut := len(chunk)
			if err == nil {
				cut -= incompleteTail(chunk)
			}
			valid = utf8.Valid(chunk[:cut])
			carry = append([]byte(nil), chunk[cut:]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the file: %w", err)
		}
	}
	if !valid && undefinedLine > 0 {
		return "", refuse(undefinedLine, ErrNotCSV, "byte 0x%02X fits neither UTF-8 nor Windows-1252 (Latin-1): save the file as CSV UTF-8", undefined)
	}
	if valid {
		return UTF8, nil
	}
	return Windows1252, nil
}

// sniffEncoding decides from the start of a file alone, for a reader that
// was not told: a UTF-16 BOM, else UTF-8 unless the bytes br holds ahead
// (up to bufSize) are not.
func sniffEncoding(br *bufio.Reader) Encoding {
	start, _ := br.Peek(2)
	switch {
	case bytes.HasPrefix(start, utf16LEBOM):
		return UTF16LE
	case bytes.HasPrefix(start, utf16BEBOM):
		return UTF16BE
	}
	ahead, err := br.Peek(bufSize)
	if err == nil {
		// More follows: a rune cut at the end of the peek is not a fault.
		ahead = ahead[:len(ahead)-incompleteTail(ahead)]
	}
	if utf8.Valid(ahead) {
		return UTF8
	}
	return Windows1252
}

// incompleteTail is how many bytes at the end of b begin a rune that b
// cuts short (0 to 3): a chunk boundary, not a fault.
func incompleteTail(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

// decoder returns r read as UTF-8: r itself for UTF-8, else r through the
// encoding's decoder (which drops a UTF-16 byte order mark).
func decoder(r io.Reader, enc Encoding) (io.Reader, error) {
	var e encoding.Encoding
	switch enc {
	case UTF8, "":
		return r, nil
	case UTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case UTF16BE:
		e = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case Windows1252:
		e = charmap.Windows1252
	default:
		return nil, fmt.Errorf("mappingcsv: unknown encoding %q", enc)
	}
	return transform.NewReader(r, e.NewDecoder()), nil
}
