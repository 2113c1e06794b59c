package salesforce

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// BenchmarkDecodeUserPage decodes a page of 200 users as a bulk job's
// validation gets them, 5,000 pages a million rows:
//
//	go test ./salesforce -run '^$' -bench DecodeUserPage
func BenchmarkDecodeUserPage(b *testing.B) {
	var page bytes.Buffer
	page.WriteString(`{"totalSize":200,"done":true,"records":[`)
	for i := range 200 {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/005%015d"},`+
			`"Id":"005%015d","Username":"user%d@acme.example","Email":"user%d@acme.example","IsActive":true}`, i, i, i, i)
	}
	page.WriteString(`]}`)
	data := page.Bytes()
	c := &Client{}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p queryPage[User]
		resp := &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(data))}
		if err := c.decode("Query", resp, &p); err != nil || len(p.Records) != 200 || !p.Records[199].IsActive {
			b.Fatalf("decode: %v, %d records", err, len(p.Records))
		}
	}
}
