package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/sfconnect/sfconnect/workflows"
)

// The histories under testsuite/histories were recorded from the dev server
// by the integration tests (SFCONNECT_RECORD_HISTORIES=1) before later
// changes to the workflows; every one must still replay against the code
// of today, or running workflows would break on deploy.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("../testsuite/histories/*.json")
	if err != nil || len(files) < 6 {
		t.Fatalf("recorded histories: %v (%d found)", err, len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			workflows.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatal(err)
			}
		})
	}
}
