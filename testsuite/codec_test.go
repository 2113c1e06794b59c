package testsuite

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// No email reaches Temporal in clear: a history read by a client without
// the codec holds none; through the codec server it decodes.
func TestPayloadsAreEncrypted(t *testing.T) {
	const ws = "T0DEMO0001"
	c := decodeConnection(t, mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org06.my.salesforce.com", "--as", "U0OWNER01", "--output", "json"))
	mustRun(t, "connect", "approve", "--workspace", ws, "--org", "org06", "--matching-field", "Email", "--accept-terms", "--as", "admin@org06.example")
	defer mustRun(t, "connect", "disconnect", "--workspace", ws, "--org", "org06", "--as", "U0OWNER01", "--yes")

	raw, err := client.Dial(client.Options{HostPort: env.TemporalAddr, Logger: logging.Temporal(zap.NewNop())})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	h := &historypb.History{}
	iter := raw.GetWorkflowHistory(t.Context(), workflows.ConnectionWorkflowID(ws, c.OrgID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	clear, _ := protojson.Marshal(h)
	encrypted := base64.StdEncoding.EncodeToString([]byte(codec.MetadataEncodingEncrypted))
	if bytes.Contains(clear, []byte("admin@org06.example")) || !bytes.Contains(clear, []byte(encrypted)) {
		t.Fatalf("the history read without the codec shows the email, or no encrypted payload")
	}
	// Through the codec server, as the Web UI asks it.
	var args *commonpb.Payloads
	for _, e := range h.Events {
		if a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			args = a.GetAcceptedRequest().GetInput().GetArgs()
		}
	}
	if args == nil {
		t.Fatal("no update in the history")
	}
	body, _ := protojson.Marshal(args)
	resp, err := http.Post(env.CodecURL+"/decode", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	decoded := &commonpb.Payloads{}
	if resp.StatusCode != http.StatusOK || protojson.Unmarshal(out, decoded) != nil || len(decoded.Payloads) == 0 ||
		!bytes.Contains(decoded.Payloads[0].GetData(), []byte("admin@org06.example")) {
		t.Fatalf("the codec server did not decode the approval: %s %s", resp.Status, out)
	}
}

// A payload sent around the codec (the stock CLI without --codec-endpoint)
// is refused with a line that says to use the codec, and nothing of it is
// kept. An update the worker would reject before accepting it; a signal
// Temporal would record before any worker sees it, so the guard in front of
// the frontend refuses both before they reach it. The same signal sealed by
// the codec passes, and reaches the connection (which refuses its caller).
func TestPlainPayloadIsRefused(t *testing.T) {
	const ws = "T0DEMO0001"
	c := decodeConnection(t, mustRun(t, "connect", "request", "--workspace", ws, "--org-url", "https://org07.my.salesforce.com", "--as", "U0OWNER01", "--output", "json"))
	defer mustRun(t, "connect", "disconnect", "--workspace", ws, "--org", "org07", "--as", "U0OWNER01", "--yes")
	id := workflows.ConnectionWorkflowID(ws, c.OrgID)
	const approval = `{"matching_field":"Email","accept_terms":true,"as":"admin@org07.example"}`

	for _, command := range [][]string{
		{"workflow", "update", "execute", "--workflow-id", id, "--name", "approve", "--input", approval},
		{"workflow", "signal", "--workflow-id", id, "--name", "approve", "--input", approval},
		{"workflow", "start", "--workflow-id", id + "-plain", "--type", "ConnectionWorkflow", "--task-queue", "sfconnect", "--input", approval},
	} {
		out, err := exec.Command(temporalBin(), append(command, "--address", env.TemporalAddr)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "--codec-endpoint") || strings.Contains(string(out), "retryable: true") {
			t.Fatalf("temporal %s without the codec: err=%v\n%s", command[1], err, out)
		}
	}
	if st := decodeConnection(t, mustRun(t, "connect", "status", "--workspace", ws, "--org", "org07", "--output", "json")); st.State != model.StatePendingApproval {
		t.Fatalf("after refused plain payloads the connection is %s", st.State)
	}
	// Sealed by the codec, a signal passes the guard and is judged by the
	// connection: this approver is not the org's administrator.
	out, err := exec.Command(temporalBin(), "workflow", "signal", "--workflow-id", id, "--name", "approve",
		"--input", `{"matching_field":"Email","accept_terms":true,"as":"nobody@org07.example"}`,
		"--address", env.TemporalAddr, "--codec-endpoint", env.CodecURL).CombinedOutput()
	if err != nil {
		t.Fatalf("a sealed signal: %v\n%s", err, out)
	}
	eventually(t, 20*time.Second, func() error {
		st := decodeConnection(t, mustRun(t, "connect", "status", "--workspace", ws, "--org", "org07", "--output", "json"))
		if len(st.Attempts) == 0 || st.State != model.StatePendingApproval {
			return errorf("the sealed signal's refusal is not kept as an attempt: %s, %d attempts", st.State, len(st.Attempts))
		}
		return nil
	})

	raw, err := client.Dial(client.Options{HostPort: env.TemporalAddr, Logger: logging.Temporal(zap.NewNop())})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	h := &historypb.History{}
	iter := raw.GetWorkflowHistory(t.Context(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	signals := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.GetWorkflowExecutionSignaledEventAttributes() != nil {
			signals++
		}
		h.Events = append(h.Events, e)
	}
	if signals != 1 {
		t.Fatalf("the history holds %d signals, want the sealed one only", signals)
	}
	js, _ := protojson.Marshal(h)
	for _, email := range []string{"admin@org07.example", "nobody@org07.example"} {
		for _, clear := range []string{email, base64.StdEncoding.EncodeToString([]byte(email))} {
			if bytes.Contains(js, []byte(clear)) {
				t.Fatalf("the history holds an email in clear (%s)", clear)
			}
		}
	}
	if _, err := raw.DescribeWorkflowExecution(t.Context(), id+"-plain", ""); err == nil {
		t.Fatal("a plain start started a workflow")
	}
}
