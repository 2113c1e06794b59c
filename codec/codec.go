// Package codec encrypts every payload sfconnect hands to Temporal, so that
// no email, name or token reaches the server (or its history, visibility
// and archives) in clear. Codec is a converter.PayloadCodec: AES-256-GCM,
// the key id in each payload's metadata, keys from a key ring in which the
// current key encrypts and every key decrypts (see Keys). DataConverter and
// FailureConverter are what the worker's and the starter's clients use;
// Handler is the codec server the Web UI calls to show payloads decoded.
package codec

import (
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	// MetadataEncodingEncrypted is the "encoding" of an encrypted payload.
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata entry naming the key that sealed it.
	MetadataKeyID = "encryption-key-id"
)

// Codec is a converter.PayloadCodec that seals each payload, metadata and
// data, with the key ring's current key. It is safe for concurrent use.
type Codec struct {
	keys *Keys
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns the codec of a key ring. With nil keys it encrypts nothing:
// Encode fails, Decode passes plain payloads through and refuses
// encrypted ones.
func New(keys *Keys) *Codec { return &Codec{keys: keys} }

// Encode seals each payload: the whole original payload, proto-marshalled,
// becomes the data of a new payload whose metadata says only
// "encoding: binary/encrypted" and "encryption-key-id: <current id>". The
// data is AES-GCM's output with its random 12-byte nonce in front.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.keys == nil {
		return nil, errors.New("codec: no encryption keys configured")
	}
	id := c.keys.Current()
	aead, _ := c.keys.aead(id)
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload %d: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			Data: aead.Seal(nil, nil, plain, nil),
		}
	}
	return out, nil
}

// Decode opens each encrypted payload with the key its metadata names and
// returns the original; payloads that are not encrypted pass through
// unchanged. A key the ring does not hold, or data that does not
// authenticate (a wrong key, tampering), is an error.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			out[i] = p
			continue
		}
		if c.keys == nil {
			return nil, errors.New("codec: the payload is encrypted and no decryption keys are configured (set " + EnvKeys + " or " + EnvKeysFile + ")")
		}
		idBytes, ok := p.GetMetadata()[MetadataKeyID]
		if !ok {
			return nil, fmt.Errorf("codec: encrypted payload %d has no %s metadata", i, MetadataKeyID)
		}
		id := string(idBytes)
		aead, ok := c.keys.aead(id)
		if !ok {
			return nil, fmt.Errorf("codec: payload %d was encrypted with key %q, which is not in the key ring (%v): keep retired keys after the current one",
				i, id, c.keys.ids)
		}
		plain, err := aead.Open(nil, nil, p.GetData(), nil)
		if err != nil {
			return nil, fmt.Errorf("codec: payload %d does not decrypt with key %q: tampered with, or a different key under that id", i, id)
		}
		orig := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, orig); err != nil {
			return nil, fmt.Errorf("codec: payload %d decrypted with key %q but is not a payload: %w", i, id, err)
		}
		out[i] = orig
	}
	return out, nil
}

// DataConverter is the SDK's default data converter with the payloads
// encrypted by the key ring; with nil keys it is the default converter.
// It refuses to decode a payload that is not encrypted (ErrNotEncrypted):
// with keys configured every payload sfconnect reads was sealed by one of
// its own processes, so a plain one came around the codec.
func DataConverter(keys *Keys) converter.DataConverter {
	if keys == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), strictCodec{New(keys)})
}

// FailureConverter keeps error messages and stack traces out of Temporal
// in clear too (an activity's error may quote an email): they travel in
// the failure's encoded attributes, through DataConverter(keys), and the
// server sees the message "Encoded failure". With nil keys it is the SDK's
// default.
//
// One refusal travels in clear: ErrNotEncrypted, whose reader is precisely
// someone without the codec, and which quotes nothing of the payload.
func FailureConverter(keys *Keys) converter.FailureConverter {
	if keys == nil {
		return temporal.GetDefaultFailureConverter()
	}
	return refusalInClear{temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(keys),
		EncodeCommonAttributes: true,
	})}
}

// ErrorTypeNotEncrypted is the application error type of that refusal.
const ErrorTypeNotEncrypted = "NotEncrypted"

// refusalInClear encodes every failure but ErrNotEncrypted's, which it
// sends as one non-retryable application error: a refusal, that resending
// the same bytes cannot heal.
type refusalInClear struct{ converter.FailureConverter }

func (c refusalInClear) ErrorToFailure(err error) *failurepb.Failure {
	if errors.Is(err, ErrNotEncrypted) {
		return temporal.GetDefaultFailureConverter().ErrorToFailure(
			temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeNotEncrypted, nil))
	}
	return c.FailureConverter.ErrorToFailure(err)
}

// Configure sets a client's DataConverter and FailureConverter for the key
// ring (nil keys: the defaults).
func Configure(opts *client.Options, keys *Keys) {
	opts.DataConverter = DataConverter(keys)
	opts.FailureConverter = FailureConverter(keys)
}
