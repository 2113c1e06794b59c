package guard

import (
	"net"
	"testing"

	wf "go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The guard's cost per call, beside the same call made to the frontend
// directly: a sealed signal (decoded, visited, decrypted, forwarded) and a
// call it only forwards. go test ./guard -run '^$' -bench . -count 5
func BenchmarkGuard(b *testing.B) {
	_, guarded, cd := setup(b)
	// The same frontend, reached directly.
	feLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer()
	wf.RegisterWorkflowServiceServer(srv, &frontend{})
	go func() { _ = srv.Serve(feLn) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(feLn.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	direct := wf.NewWorkflowServiceClient(conn)
	req := signal(sealed(b, cd, `{"matching_field":"Email","accept_terms":true,"as":"U0OWNER01"}`))
	for _, c := range []struct {
		name   string
		client wf.WorkflowServiceClient
	}{{"direct", direct}, {"guard", guarded}} {
		b.Run("SealedSignal/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.client.SignalWorkflowExecution(b.Context(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Forwarded/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.client.GetSystemInfo(b.Context(), &wf.GetSystemInfoRequest{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
