package guard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
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

// unary reports whether method (/package.Service/Method) takes one message
// and answers one, as the services' descriptors, registered by the API
// packages the guard imports, say. An unknown method is treated as a
// stream, which carries a unary call too.
func unary(method string) bool {
	service, name, ok := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	if !ok {
		return false
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		return false
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return false
	}
	m := sd.Methods().ByName(protoreflect.Name(name))
	return m != nil && !m.IsStreamingClient() && !m.IsStreamingServer()
}

// forwardUnary makes a unary call upstream with the caller's message and
// metadata, and answers with the upstream's message, headers and status.
func (g *Guard) forwardUnary(in grpc.ServerStream, method string, req frame) error {
	var resp frame
	var header, trailer metadata.MD
	err := g.upstream.Invoke(outgoing(in.Context()), method, &req, &resp,
		grpc.ForceCodec(rawCodec{}), grpc.Header(&header), grpc.Trailer(&trailer))
	if len(header) > 0 {
		_ = in.SetHeader(header)
	}
	in.SetTrailer(trailer)
	if err != nil {
		return err
	}
	return in.SendMsg(&resp)
}

// outgoing carries the caller's metadata (namespace, credentials, client
// name and version) to the upstream, less what gRPC sets itself.
func outgoing(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	md = md.Copy()
	for _, k := range []string{":authority", "content-type", "user-agent", "grpc-timeout"} {
		delete(md, k)
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// forward relays a streaming call (or one of a method the guard does not
// know) between the caller's stream and the upstream, first (when not nil)
// being the caller's first message, already read.
func (g *Guard) forward(in grpc.ServerStream, method string, first *frame) error {
	out, err := g.upstream.NewStream(outgoing(in.Context()), bothWays, method, grpc.ForceCodec(rawCodec{}))
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
