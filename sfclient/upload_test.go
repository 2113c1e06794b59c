package sfclient

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
)

// failingAppends is a store whose AppendJobRows fails from the given call on.
type failingAppends struct {
	store.Store
	calls, failFrom int
}

var errDiskFull = errors.New("disk full")

func (s *failingAppends) AppendJobRows(ctx context.Context, jobID string, rows []store.JobRow) error {
	s.calls++
	if s.calls >= s.failFrom {
		return errDiskFull
	}
	return s.Store.AppendJobRows(ctx, jobID, rows)
}

func uploadTestStore(t *testing.T) (store.Store, store.Job, string) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const rows = 5*uploadChunk + 7
	path := filepath.Join(dir, "import.csv")
	if err := writeBenchFile(path, rows); err != nil {
		t.Fatal(err)
	}
	job := store.Job{ID: "J1", Workspace: "T0TEST", OrgID: "00D000000000001AAA", ConnectionID: "C",
		FileName: "import.csv", CreatedBy: "U0ADMIN", SlackColumn: "slack_user_id", SalesforceColumn: "salesforce_email", Rows: rows}
	if err := st.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	return st, job, path
}

// TestUploadStoresEveryRow: reading and writing overlap, and every row of
// the file lands, in order, the last partial chunk included.
func TestUploadStoresEveryRow(t *testing.T) {
	st, job, path := uploadTestStore(t)
	if err := (&Client{Store: st}).upload(context.Background(), job, path, mappingcsv.UTF8, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := st.JobRows(context.Background(), job.ID, 0, job.Rows+10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != job.Rows {
		t.Fatalf("%d rows stored, want %d", len(rows), job.Rows)
	}
	for i, r := range rows {
		if r.Seq != i || r.Line != i+2 || r.Outcome != store.OutcomeNone {
			t.Fatalf("row %d is %+v", i, r)
		}
	}
	if last := rows[len(rows)-1]; last.SlackKey != "U100100006" || last.SalesforceKey != "user100006@acme.example" {
		t.Fatalf("last row is %+v", last)
	}
}

// TestUploadStopsAtAStoreFailure: when the store refuses a chunk, the
// upload stops and says why (not that it was cancelled), without hanging
// the file's reader.
func TestUploadStopsAtAStoreFailure(t *testing.T) {
	st, job, path := uploadTestStore(t)
	failing := &failingAppends{Store: st, failFrom: 2}
	err := (&Client{Store: failing}).upload(context.Background(), job, path, mappingcsv.UTF8, nil)
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("upload = %v, want the store's error", err)
	}
	if failing.calls != 2 {
		t.Fatalf("%d appends tried, want 2: the upload goes on after a failure", failing.calls)
	}
}
