package codec

import (
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// ErrNotEncrypted is the refusal of a payload that arrives in clear while
// encryption is configured: someone (the stock temporal CLI without
// --codec-endpoint, a script) sent it around the codec. The worker's data
// converter refuses it before any handler sees it, so an update carrying
// it is rejected by the SDK before it is accepted into history.
var ErrNotEncrypted = errors.New("arrived unencrypted while sfconnect encrypts every payload: refused, nothing of it was applied. " +
	"Send it through the codec: add --codec-endpoint http://" + DefaultAddr + " to the temporal command (or set TEMPORAL_CODEC_ENDPOINT)")

// strictCodec is Codec, except that Decode refuses plain payloads with
// ErrNotEncrypted. It is what clients and workers decode with
// (DataConverter); the codec server keeps the lenient Codec, which shows the
// Web UI a plain payload as it is.
type strictCodec struct{ *Codec }

// Decode refuses the batch when any payload is not encrypted. The payload
// itself is never quoted: it may be the very email it should not show.
func (c strictCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			return nil, fmt.Errorf("codec: payload %d %w", i, ErrNotEncrypted)
		}
	}
	return c.Codec.Decode(payloads)
}
