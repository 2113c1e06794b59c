package sfclient

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
)

// A job's rows come back as the file had them, malformed ones included;
// the results CSV never carries a NUL, another control character or bytes
// that are not UTF-8, and the reason says what was replaced.
func TestJobResultsAreClean(t *testing.T) {
	st, job, _ := uploadTestStore(t)
	ctx := context.Background()
	rows := []store.JobRow{
		{Seq: 0, Line: 2, SlackKey: "U0MEMBER1\x00", SalesforceKey: "a\x01b@acme.example"},
		{Seq: 1, Line: 3, SlackKey: "U0MEMBER2", SalesforceKey: "h\xe9l\xe8ne@acme.example\x7f"},
		{Seq: 2, Line: 4, SlackKey: "U0MEMBER3", SalesforceKey: "zoë@acme.example"},
	}
	if err := st.AppendJobRows(ctx, job.ID, rows); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := (&Client{Store: st}).JobResults(ctx, job.ID, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x01\x7f") {
		t.Fatalf("results carry control characters or bytes that are not UTF-8: %q", s)
	}
	lines := strings.Split(strings.TrimSpace(s), "\r\n")
	if len(lines) != 4 || !strings.Contains(lines[1], mappingcsv.CleanedNote) || !strings.Contains(lines[2], mappingcsv.CleanedNote) ||
		strings.Contains(lines[3], mappingcsv.CleanedNote) || !strings.Contains(lines[3], "zoë@acme.example") {
		t.Fatalf("results:\n%s", s)
	}
}
