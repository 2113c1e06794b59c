package production

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/workflows"
)

// result is one run of the CLI.
type result struct {
	code     int
	out, err string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.out, r.err)
}

// cli runs a `starter` command line in-process, as the binary does, with
// the workers' configuration, dialling the server through the guard anew
// each time (so that it works across the server's restart).
func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut strings.Builder
	code := starter.Run(ctx, args, starter.Env{In: strings.NewReader(stdin), Out: &out, Err: &errOut, Config: topo.cfg,
		Dial: func() (client.Client, error) {
			opts := client.Options{HostPort: topo.guardAddr, Namespace: topo.workerEnv["TEMPORAL_NAMESPACE"], Logger: logging.Temporal(zap.NewNop())}
			codec.Configure(&opts, topo.keys)
			return client.Dial(opts)
		}})
	return result{code: code, out: out.String(), err: errOut.String()}
}

// must runs a command line that must succeed.
func must(t *testing.T, args ...string) result {
	t.Helper()
	r := cli(t, "", args...)
	if r.code != 0 {
		t.Fatalf("starter %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

// refused runs a command line that must be refused (exit 1) with want in
// its one-line reason.
func refused(t *testing.T, want string, args ...string) {
	t.Helper()
	r := cli(t, "", args...)
	if r.code != starter.ExitRefused || !strings.Contains(r.err, want) {
		t.Fatalf("starter %s: want exit 1 with %q\n%s", strings.Join(args, " "), want, r)
	}
}

func decodeConnection(t *testing.T, r result) workflows.Connection {
	t.Helper()
	var c workflows.Connection
	if err := json.Unmarshal([]byte(r.out), &c); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, r)
	}
	return c
}

// eventually retries check until it passes or within passes: visibility
// is eventually consistent.
func eventually(t *testing.T, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitEnded waits for a workflow to close without failing: a disconnected
// connection's ends a moment after the update returns, and a new request
// for the same org is refused until it has.
func waitEnded(t *testing.T, workflowID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := topo.client.GetWorkflow(ctx, workflowID, "").Get(ctx, nil); err != nil {
		t.Fatalf("workflow %s did not end well: %v", workflowID, err)
	}
}
