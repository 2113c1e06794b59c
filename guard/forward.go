package guard

import (
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// frame is one gRPC message as bytes on the wire: the guard forwards what
// it does not inspect without decoding it, so any service the frontend
// offers (workflow, operator, health, Nexus, a newer one) passes unchanged.
type frame []byte

// rawCodec moves frames as they are.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, fmt.Errorf("guard: cannot send a %T", v)
	}
	return *f, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("guard: cannot receive into a %T", v)
	}
	// data belongs to gRPC once Unmarshal returns.
	*f = append((*f)[:0], data...)
	return nil
}

// bothWays describes every call to the upstream as a bidirectional stream:
// a unary call is a stream of one message each way.
var bothWays = &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}

// forward relays one call between the caller's stream and the upstream,
// first (when not nil) being the caller's first message, already read and
// checked.
func (g *Guard) forward(in grpc.ServerStream, method string, first *frame) error {
	ctx := in.Context()
	md, _ := metadata.FromIncomingContext(ctx)
	md = md.Copy()
	// gRPC sets these itself on the outgoing call.
	for _, k := range []string{":authority", "content-type", "user-agent", "grpc-timeout"} {
		delete(md, k)
	}
	out, err := g.upstream.NewStream(metadata.NewOutgoingContext(ctx, md), bothWays, method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() { sent <- pumpUp(in, out, first) }()

	header, err := out.Header()
	if err != nil {
		return err
	}
	if err := in.SendHeader(header); err != nil {
		return err
	}
	for {
		var f frame
		if err := out.RecvMsg(&f); err != nil {
			in.SetTrailer(out.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			// The upstream's status, as it sent it.
			return err
		}
		if err := in.SendMsg(&f); err != nil {
			return err
		}
	}
}

// pumpUp sends the caller's messages upstream until the caller is done.
func pumpUp(in grpc.ServerStream, out grpc.ClientStream, first *frame) error {
	if first != nil {
		if err := out.SendMsg(first); err != nil {
			return err
		}
	}
	for {
		var f frame
		if err := in.RecvMsg(&f); err != nil {
			if errors.Is(err, io.EOF) {
				return out.CloseSend()
			}
			return err
		}
		if err := out.SendMsg(&f); err != nil {
			return err
		}
	}
}
