package guard

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	wf "go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sfconnect/sfconnect/codec"
)

// frontend stands for Temporal's: it records what reaches it.
type frontend struct {
	wf.UnimplementedWorkflowServiceServer
	mu      sync.Mutex
	signals []*wf.SignalWorkflowExecutionRequest
	starts  []*wf.StartWorkflowExecutionRequest
	seenMD  metadata.MD
}

func (f *frontend) SignalWorkflowExecution(ctx context.Context, r *wf.SignalWorkflowExecutionRequest) (*wf.SignalWorkflowExecutionResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals = append(f.signals, r)
	f.seenMD, _ = metadata.FromIncomingContext(ctx)
	return &wf.SignalWorkflowExecutionResponse{}, nil
}

func (f *frontend) StartWorkflowExecution(_ context.Context, r *wf.StartWorkflowExecutionRequest) (*wf.StartWorkflowExecutionResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, r)
	return &wf.StartWorkflowExecutionResponse{RunId: "run-1"}, nil
}

func (f *frontend) DescribeNamespace(context.Context, *wf.DescribeNamespaceRequest) (*wf.DescribeNamespaceResponse, error) {
	return nil, status.Error(codes.NotFound, "namespace nope not found")
}

func (f *frontend) GetSystemInfo(context.Context, *wf.GetSystemInfoRequest) (*wf.GetSystemInfoResponse, error) {
	return &wf.GetSystemInfoResponse{ServerVersion: "1.31.0"}, nil
}

func (f *frontend) received() (signals, starts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.signals), len(f.starts)
}

// setup runs a frontend, a guard in front of it, and a client of the guard.
func setup(t testing.TB) (*frontend, wf.WorkflowServiceClient, *codec.Codec) {
	fe, conn, c := setupConn(t)
	return fe, wf.NewWorkflowServiceClient(conn), c
}

// setupConn is setup with the guard's connection, for the other services.
func setupConn(t testing.TB) (*frontend, *grpc.ClientConn, *codec.Codec) {
	t.Helper()
	fe := &frontend{}
	feLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	feServer := grpc.NewServer()
	wf.RegisterWorkflowServiceServer(feServer, fe)
	hs := health.NewServer()
	hs.SetServingStatus(wf.WorkflowService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(feServer, hs)
	go func() { _ = feServer.Serve(feLn) }()
	t.Cleanup(feServer.Stop)

	entry, err := codec.NewKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codec.ParseKeys(entry)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(feLn.Addr().String(), keys, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	gLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = g.Serve(gLn) }()
	t.Cleanup(g.Stop)

	conn, err := grpc.NewClient(gLn.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return fe, conn, codec.New(keys)
}

func plain(data string) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(data)}
}

func sealed(t testing.TB, c *codec.Codec, data string) *commonpb.Payload {
	t.Helper()
	out, err := c.Encode([]*commonpb.Payload{plain(data)})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func signal(input ...*commonpb.Payload) *wf.SignalWorkflowExecutionRequest {
	return &wf.SignalWorkflowExecutionRequest{Namespace: "default", SignalName: "approve", Input: &commonpb.Payloads{Payloads: input}}
}

// The stock CLI without --codec-endpoint: refused with what to do, and the
// frontend never sees it, so nothing of it is recorded.
func TestPlainSignalNeverReachesTheFrontend(t *testing.T) {
	fe, c, _ := setup(t)
	_, err := c.SignalWorkflowExecution(t.Context(), signal(plain(`{"as":"admin@org07.example"}`)))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "--codec-endpoint") || !strings.Contains(err.Error(), "SignalWorkflowExecution") {
		t.Fatalf("a plain signal: %v", err)
	}
	if strings.Contains(err.Error(), "admin@org07.example") {
		t.Fatalf("the refusal quotes the payload: %v", err)
	}
	if n, _ := fe.received(); n != 0 {
		t.Fatalf("the frontend received %d signal(s)", n)
	}
}

func TestSealedSignalPassesWithItsMetadata(t *testing.T) {
	fe, c, cd := setup(t)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "temporal-namespace", "default", "authorization", "Bearer x")
	if _, err := c.SignalWorkflowExecution(ctx, signal(sealed(t, cd, `{"as":"U0OWNER01"}`))); err != nil {
		t.Fatal(err)
	}
	if n, _ := fe.received(); n != 1 {
		t.Fatalf("the frontend received %d signal(s), want 1", n)
	}
	if got := fe.seenMD.Get("temporal-namespace"); len(got) != 1 || got[0] != "default" {
		t.Fatalf("the caller's metadata did not pass: %v", fe.seenMD)
	}
	if got := fe.seenMD.Get("authorization"); len(got) != 1 || got[0] != "Bearer x" {
		t.Fatalf("the caller's credentials did not pass: %v", fe.seenMD)
	}
}

// A payload labelled encrypted that does not decrypt (forged, or another
// deployment's) is refused too: the label alone proves nothing.
func TestForgedEncryptedLabelIsRefused(t *testing.T) {
	fe, c, cd := setup(t)
	forged := sealed(t, cd, "x")
	forged.Data = []byte(`{"as":"admin@org07.example"}`)
	_, err := c.SignalWorkflowExecution(t.Context(), signal(sealed(t, cd, "ok"), forged))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "not sealed") {
		t.Fatalf("a forged payload: %v", err)
	}
	if n, _ := fe.received(); n != 0 {
		t.Fatalf("the frontend received %d signal(s)", n)
	}
}

// Search attributes (indexed by the server, so never encrypted) and
// headers (context propagation) are not a caller's input.
func TestSearchAttributesAndHeadersPass(t *testing.T) {
	fe, c, cd := setup(t)
	_, err := c.StartWorkflowExecution(t.Context(), &wf.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: "w", RequestId: "r",
		Input:            &commonpb.Payloads{Payloads: []*commonpb.Payload{sealed(t, cd, `"in"`)}},
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"SfState": plain(`"active"`)}},
		Header:           &commonpb.Header{Fields: map[string]*commonpb.Payload{"tracer": plain(`{}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, n := fe.received(); n != 1 {
		t.Fatalf("the frontend received %d start(s), want 1", n)
	}
	// A memo, by contrast, is stored as it comes: it must be sealed.
	_, err = c.StartWorkflowExecution(t.Context(), &wf.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: "w2", RequestId: "r2",
		Memo: &commonpb.Memo{Fields: map[string]*commonpb.Payload{"who": plain(`"admin@org07.example"`)}},
	})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a plain memo: %v", err)
	}
}

// Calls the guard does not inspect pass both ways unchanged, errors included.
func TestOtherCallsPassUnchanged(t *testing.T) {
	_, c, _ := setup(t)
	info, err := c.GetSystemInfo(t.Context(), &wf.GetSystemInfoRequest{})
	if err != nil || info.GetServerVersion() != "1.31.0" {
		t.Fatalf("GetSystemInfo through the guard: %v %v", info, err)
	}
	_, err = c.DescribeNamespace(t.Context(), &wf.DescribeNamespaceRequest{Namespace: "nope"})
	if status.Code(err) != codes.NotFound || status.Convert(err).Message() != "namespace nope not found" {
		t.Fatalf("the frontend's error did not pass as it was: %v", err)
	}
	// A method the frontend lacks answers Unimplemented, from the frontend.
	_, err = c.ListWorkflowExecutions(t.Context(), &wf.ListWorkflowExecutionsRequest{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("an unimplemented method: %v", err)
	}
}

// Another service passes too, a streaming call included: the health
// check the SDK makes when it dials, and a Watch that streams.
func TestOtherServicesAndStreamsPass(t *testing.T) {
	_, conn, _ := setupConn(t)
	hc := healthpb.NewHealthClient(conn)
	resp, err := hc.Check(t.Context(), &healthpb.HealthCheckRequest{Service: wf.WorkflowService_ServiceDesc.ServiceName})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health check through the guard: %v %v", resp, err)
	}
	watch, err := hc.Watch(t.Context(), &healthpb.HealthCheckRequest{Service: wf.WorkflowService_ServiceDesc.ServiceName})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := watch.Recv(); err != nil || got.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("a streamed health watch through the guard: %v %v", got, err)
	}
	if unary("/grpc.health.v1.Health/Watch") || !unary("/grpc.health.v1.Health/Check") || !unary(wf.WorkflowService_GetSystemInfo_FullMethodName) || unary("/no.Such/Method") {
		t.Fatal("unary() misreads the descriptors")
	}
}
