package codec_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/internal/testneeds"
)

// temporalBin is the pinned Temporal CLI that `make` installs into .bin/.
func temporalBin(t *testing.T) string {
	p := os.Getenv("SFCONNECT_TEMPORAL_BIN")
	if p == "" {
		p, _ = filepath.Abs("../.bin/temporal")
	}
	if _, err := os.Stat(p); err != nil {
		testneeds.Missing(t, "the Temporal CLI at "+p, "run `make .bin/temporal`, or set SFCONNECT_TEMPORAL_BIN", err)
	}
	return p
}

func welcomeWorkflow(ctx workflow.Context, m member) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3},
	})
	var welcome string
	err := workflow.ExecuteActivity(ctx, welcomeActivity, m).Get(ctx, &welcome)
	return welcome, err
}

// welcomeActivity fails its first attempt with the email in the message,
// as a real lookup's error would, then succeeds.
func welcomeActivity(ctx context.Context, m member) (string, error) {
	if activity.GetInfo(ctx).Attempt == 1 {
		return "", temporal.NewApplicationError("no Slack member for "+m.Email, "NotFound")
	}
	return fmt.Sprintf("welcome %s (%s)", m.Name, m.Email), nil
}

// TestEndToEnd runs a workflow through a real dev server with the codec,
// then reads its history as the server holds it: no email, no name; the
// codec server gives them back.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a dev server")
	}
	bin := temporalBin(t)
	keys, err := codec.DevKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := &client.Options{Logger: quietLogger{}}
	codec.Configure(opts, keys)
	server, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  bin,
		ClientOptions: opts,
		LogLevel:      "error",
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Stop() }()
	c := server.Client()

	const taskQueue = "codec-e2e"
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(welcomeWorkflow)
	w.RegisterActivity(welcomeActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	in := member{Email: email, Name: "Alice Liddell", Roles: []string{"owner"}}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:            "codec-e2e",
		TaskQueue:     taskQueue,
		Memo:          map[string]any{"contact": email},
		StaticSummary: "welcome " + email,
	}, welcomeWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	want := "welcome Alice Liddell (" + email + ")"
	if got != want {
		t.Fatalf("result %q, want %q", got, want)
	}

	// A client without the codec sees what the server stores.
	plain, err := client.Dial(client.Options{HostPort: server.FrontendHostPort(), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	iter := plain.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var payloads []*commonpb.Payload
	var sawFailure bool
	history := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{email, "Alice Liddell"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("event %d %s holds %q in clear", ev.EventId, ev.EventType, secret)
			}
		}
		if f := ev.GetActivityTaskStartedEventAttributes().GetLastFailure(); f != nil {
			sawFailure = true
			if f.GetEncodedAttributes() == nil {
				t.Errorf("the activity's failure has no encoded attributes: %v", f)
			}
		}
		history.Events = append(history.Events, ev)
		payloads = append(payloads, eventPayloads(ev)...)
	}
	if !sawFailure {
		t.Error("no failed attempt in the history: the failure path went untested")
	}
	var encrypted []*commonpb.Payload
	for _, p := range payloads {
		if string(p.Metadata[converter.MetadataEncoding]) == codec.MetadataEncodingEncrypted {
			encrypted = append(encrypted, p)
		}
	}
	// input, memo, summary, activity input, failure, activity result, workflow result
	if len(encrypted) < 7 {
		t.Fatalf("%d encrypted payloads in the history, want at least 7", len(encrypted))
	}
	var str string
	if err := converter.GetDefaultDataConverter().FromPayload(encrypted[0], &str); err == nil {
		t.Error("the default converter read an encrypted payload")
	}

	// Through the codec server, as the Web UI sees them.
	srv := httptest.NewServer(codec.Handler(keys, codec.UIOrigins("8233"), codec.Auth{}))
	defer srv.Close()
	decoded := decodeViaHandler(t, srv.URL, encrypted)
	var found []string
	for _, p := range decoded {
		if string(p.Metadata[converter.MetadataEncoding]) == codec.MetadataEncodingEncrypted {
			t.Errorf("still encrypted after /decode: %v", p)
		}
		if bytes.Contains(p.Data, []byte(email)) {
			found = append(found, string(p.Data))
		}
	}
	joined := strings.Join(found, "\n")
	for _, want := range []string{
		`"Email":"` + email + `"`,                 // workflow and activity input
		`"` + email + `"`,                         // memo
		`"welcome ` + email + `"`,                 // static summary
		`"message":"no Slack member for ` + email, // the failed attempt
		`"` + want + `"`,                          // activity and workflow result
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("decoded payloads lack %s; they hold:\n%s", want, joined)
		}
	}
	if len(found) < 5 {
		t.Errorf("only %d decoded payloads hold the email:\n%s", len(found), joined)
	}

	// DecodeAll turns the raw history back into plaintext, in place.
	if err := codec.DecodeAll(keys, history); err != nil {
		t.Fatal(err)
	}
	raw, _ := proto.Marshal(history)
	if !bytes.Contains(raw, []byte(want)) || bytes.Contains(raw, []byte(codec.MetadataEncodingEncrypted)) {
		t.Error("DecodeAll left the history encrypted")
	}
}

// quietLogger drops the SDK's log lines.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// eventPayloads are the payloads of the fields that carry them in this
// test's history.
func eventPayloads(ev *historypb.HistoryEvent) []*commonpb.Payload {
	var ps []*commonpb.Payload
	if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
		ps = append(ps, a.GetInput().GetPayloads()...)
		for _, p := range a.GetMemo().GetFields() {
			ps = append(ps, p)
		}
	}
	if p := ev.GetUserMetadata().GetSummary(); p != nil {
		ps = append(ps, p)
	}
	ps = append(ps, ev.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads()...)
	if p := ev.GetActivityTaskStartedEventAttributes().GetLastFailure().GetEncodedAttributes(); p != nil {
		ps = append(ps, p)
	}
	ps = append(ps, ev.GetActivityTaskCompletedEventAttributes().GetResult().GetPayloads()...)
	ps = append(ps, ev.GetWorkflowExecutionCompletedEventAttributes().GetResult().GetPayloads()...)
	return ps
}
