// Package guard is the door in front of Temporal's frontend: a gRPC proxy
// that forwards every call as it is, except the calls that would write a
// caller's payloads into a workflow's history (start, signal, update,
// terminate, batch, schedule, an activity completed by id). Those pass only
// when every payload was sealed by sfconnect's codec.
//
// The worker's strict codec refuses a plain payload, but too late for a
// signal: Temporal records a signal in the history before any worker sees
// it, so a stock `temporal workflow signal` without --codec-endpoint would
// leave its email there in clear. Only something in front of the server can
// keep it out, and this is it: clients, the CLI and the Web UI reach
// Temporal through the guard, and the frontend itself is not exposed.
package guard

import (
	"fmt"
	"net"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/sfconnect/sfconnect/codec"
)

// maxMessage is Temporal's own limit on a gRPC message (the frontend's
// default), so the guard refuses nothing the server would take.
const maxMessage = 128 << 20

// Guard is a running door: Serve it on a listener, Stop it when done.
type Guard struct {
	upstream *grpc.ClientConn
	codec    *codec.Codec
	server   *grpc.Server
	log      *zap.Logger
}

// New makes a guard in front of the frontend at upstream (host:port),
// letting through only the payloads that keys decrypt.
func New(upstream string, keys *codec.Keys, log *zap.Logger) (*Guard, error) {
	if keys == nil {
		return nil, fmt.Errorf("guard: no payload encryption keys: without them nothing is encrypted and there is nothing to guard")
	}
	conn, err := grpc.NewClient(upstream,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 15 * time.Second, PermitWithoutStream: true}),
	)
	if err != nil {
		return nil, fmt.Errorf("guard: the Temporal frontend at %s: %w", upstream, err)
	}
	g := &Guard{upstream: conn, codec: codec.New(keys), log: log}
	g.server = grpc.NewServer(
		grpc.UnknownServiceHandler(g.handle),
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessage),
		grpc.MaxSendMsgSize(maxMessage),
		// Temporal's SDK pings every 30 s even when idle; gRPC's default
		// policy would answer that with GOAWAY "too_many_pings".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	return g, nil
}

// Serve answers on ln until Stop.
func (g *Guard) Serve(ln net.Listener) error { return g.server.Serve(ln) }

// Stop lets calls in flight end for a moment (long polls would hold it for
// a minute), then closes everything.
func (g *Guard) Stop() {
	done := make(chan struct{})
	go func() { g.server.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		g.server.Stop()
	}
	_ = g.upstream.Close()
}

// handle takes every call: a guarded one is read and checked before
// anything of it goes upstream, so a refused call leaves no trace there.
func (g *Guard) handle(_ any, in grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(in)
	if !ok {
		return status.Error(codes.Internal, "guard: a call without a method")
	}
	_, guarded := writesHistory[method]
	if !guarded && !unary(method) {
		return g.forward(in, method, nil)
	}
	var first frame
	if err := in.RecvMsg(&first); err != nil {
		return err
	}
	if guarded {
		if err := g.check(in.Context(), method, first); err != nil {
			g.log.Info("refused a call whose payload the codec did not seal", zap.String("method", shortName(method)))
			return err
		}
	}
	return g.forwardUnary(in, method, first)
}
