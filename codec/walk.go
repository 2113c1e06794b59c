package codec

import (
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// DecodeAll decodes, in place, every encrypted payload anywhere in m: a
// history, an event, a describe response. It is for what reads Temporal's
// raw protos rather than through a client's data converter, such as the
// histories recorded for replay tests, which should stay readable without
// the key they were sealed with.
func DecodeAll(keys *Keys, m proto.Message) error {
	var payloads []*commonpb.Payload
	collectPayloads(m.ProtoReflect(), &payloads)
	c := New(keys)
	for _, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			continue
		}
		out, err := c.Decode([]*commonpb.Payload{p})
		if err != nil {
			return err
		}
		proto.Reset(p)
		proto.Merge(p, out[0])
	}
	return nil
}

// collectPayloads gathers every Payload message under m.
func collectPayloads(m protoreflect.Message, out *[]*commonpb.Payload) {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		*out = append(*out, p)
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			if fd.Message() != nil {
				for i := 0; i < v.List().Len(); i++ {
					collectPayloads(v.List().Get(i).Message(), out)
				}
			}
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					collectPayloads(mv.Message(), out)
					return true
				})
			}
		case fd.Message() != nil:
			collectPayloads(v.Message(), out)
		}
		return true
	})
}
