package sfclient

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
)

// BenchmarkUpload measures what `members import` spends between the check
// and the job's start for a million-row file: reading it again and
// appending its rows to a new SQLite store.
//
//	go test ./sfclient -run '^$' -bench Upload -benchtime 3x
func BenchmarkUpload(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	path := filepath.Join(dir, "import.csv")
	if err := writeBenchFile(path, n); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(dir, "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	i := 0
	for b.Loop() {
		job := store.Job{ID: fmt.Sprintf("J%d", i), Workspace: "T0BENCH", OrgID: "00D000000000001AAA", ConnectionID: "C",
			FileName: "import.csv", CreatedBy: "U0ADMIN", SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_email", Rows: n}
		i++
		if err := st.CreateJob(ctx, job); err != nil {
			b.Fatal(err)
		}
		if err := (&Client{Store: st}).upload(ctx, job, path, mappingcsv.UTF8, nil); err != nil {
			b.Fatal(err)
		}
		c, err := st.JobCounts(ctx, job.ID)
		if err != nil || c.ByOutcome[store.OutcomeNone] != n {
			b.Fatalf("counts after upload: %+v, %v", c.ByOutcome, err)
		}
	}
	b.ReportMetric(float64(i*n)/b.Elapsed().Seconds(), "rows/s")
}

// writeBenchFile writes a file of n rows as the import benchmark makes
// them: a member id and a Salesforce email.
func writeBenchFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "slack_user_id,salesforce_email")
	for i := range n {
		fmt.Fprintf(w, "U1%08d,user%d@acme.example\n", i, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
