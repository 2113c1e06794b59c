package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

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
	// Every workflow type the worker registers has at least one.
	types := map[string]bool{}
	for _, file := range files {
		types[workflowTypeOf(t, file)] = true
	}
	for _, name := range workflowNames() {
		if !types[name] {
			t.Errorf("no recorded history of %s under testsuite/histories", name)
		}
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

// workflowTypeOf reads the type of the workflow a recorded history is of.
func workflowTypeOf(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Events []struct {
			Started struct {
				WorkflowType struct {
					Name string `json:"name"`
				} `json:"workflowType"`
			} `json:"workflowExecutionStartedEventAttributes"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &h); err != nil || len(h.Events) == 0 {
		t.Fatalf("%s: not a history (%v)", file, err)
	}
	return h.Events[0].Started.WorkflowType.Name
}

// names records the names workflows register under.
type names []string

func (n *names) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	*n = append(*n, o.Name)
}

// workflowNames are the types RegisterWorkflows registers, sorted.
func workflowNames() []string {
	var n names
	workflows.RegisterWorkflows(&n)
	slices.Sort(n)
	return n
}
