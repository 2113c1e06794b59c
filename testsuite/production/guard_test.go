package production

import (
	"bytes"
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sfconnect/sfconnect/workflows"
)

// testPlainSignalStopsAtTheGuard: a stock `temporal workflow signal`
// without --codec-endpoint, sent to Temporal's address (the guard's, as in
// compose), is refused with what to do, and the workspace's history, which
// Temporal would have written it into before any worker saw it, holds no
// signal and no email.
func testPlainSignalStopsAtTheGuard(t *testing.T) {
	cli, err := cliBin()
	if err != nil {
		t.Fatal(err)
	}
	id := workflows.WorkspaceWorkflowID("T0DEMO0001")
	const email = "admin@acme.example"
	out, err := exec.CommandContext(t.Context(), cli, "workflow", "signal", "--address", topo.guardAddr,
		"--namespace", topo.workerEnv["TEMPORAL_NAMESPACE"], "--workflow-id", id, "--name", workflows.UpdateRequest,
		"--input", `{"as":"`+email+`"}`).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--codec-endpoint") {
		t.Fatalf("a plain signal through the guard: err=%v\n%s", err, out)
	}
	h := &historypb.History{}
	iter := topo.client.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	if len(h.Events) == 0 {
		t.Fatalf("no history for %s: the step needs the workspace the lifecycle made", id)
	}
	js, _ := protojson.Marshal(h)
	for _, clear := range []string{email, base64.StdEncoding.EncodeToString([]byte(email))} {
		if bytes.Contains(js, []byte(clear)) {
			t.Fatalf("the workspace's history holds %s in clear", clear)
		}
	}
}
