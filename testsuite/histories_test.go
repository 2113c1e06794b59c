package testsuite

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/devenv"
)

// recordHistory writes a workflow's history as the JSON that `temporal
// workflow show --output json` prints and worker.NewWorkflowReplayer reads,
// under histories/, when SFCONNECT_RECORD_HISTORIES is set: histories are
// recorded before a change to the workflows, then replayed by
// TestReplayRecordedHistories against the code of every later commit.
func recordHistory(t *testing.T, name, workflowID string) {
	t.Helper()
	recordHistoryOf(t, env, name, workflowID, "")
}

// recordHistoryOf records one run (the latest when runID is "") of a
// workflow of environment e.
func recordHistoryOf(t *testing.T, e *devenv.Env, name, workflowID, runID string) {
	t.Helper()
	if os.Getenv("SFCONNECT_RECORD_HISTORIES") == "" {
		return
	}
	// A workflow still running is recorded once its last task is done, so
	// that the history ends where a replay can.
	var h *historypb.History
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		h = &historypb.History{}
		iter := e.Client.GetWorkflowHistory(t.Context(), workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			h.Events = append(h.Events, e)
		}
		if settled(h) || time.Now().After(deadline) {
			break
		}
	}
	// Recorded in clear, so that the replayer reads them without the keys.
	if err := codec.DecodeAll(e.Keys, h); err != nil {
		t.Fatal(err)
	}
	data, err := protojson.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var pretty map[string]any
	_ = json.Unmarshal(data, &pretty)
	data, _ = json.MarshalIndent(pretty, "", " ")
	if err := os.WriteFile(filepath.Join("histories", name+".json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// settled reports whether a history ends with a completed workflow task or
// the workflow's close.
func settled(h *historypb.History) bool {
	if len(h.Events) == 0 {
		return false
	}
	switch h.Events[len(h.Events)-1].GetEventType() {
	case enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
		enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		enums.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
		enums.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		return true
	}
	return false
}
