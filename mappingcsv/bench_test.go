package mappingcsv_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

const benchRows = 1_000_000

// millionRows is a 3-column file of benchRows valid rows, built once.
var millionRows = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.WriteString("slack_user_id,salesforce_user_id,name\r\n")
	for i := range benchRows {
		fmt.Fprintf(&b, "U%010d,005%012dAAA,Member %d\r\n", i, i, i)
	}
	return b.Bytes()
})

// BenchmarkCheck reads a million-row file: the import must not wait on it.
func BenchmarkCheck(b *testing.B) {
	data := millionRows()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s, err := mappingcsv.Check(bytes.NewReader(data), mappingcsv.Limits{})
		if err != nil || s.Rows != benchRows || s.Malformed != 0 {
			b.Fatalf("Check = %+v, %v", s, err)
		}
		n++
	}
	b.ReportMetric(float64(n*benchRows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSVBaseline is encoding/csv alone on the same file, to show what
// the checks cost on top of it.
func BenchmarkCSVBaseline(b *testing.B) {
	data := millionRows()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	b.ReportMetric(float64(n*benchRows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriter writes export rows, one of them needing quotes and a
// neutralised cell.
func BenchmarkWriter(b *testing.B) {
	w, err := mappingcsv.NewWriter(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	row := mappingcsv.Row{
		SlackUserID: slackID, SlackEmail: "ada@acme.example", SlackName: "=Lovelace, Ada",
		SalesforceUserID: sfID18, SalesforceUsername: "ada@acme.com", State: "linked", Source: "csv",
		UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}
