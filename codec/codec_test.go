package codec_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/sfconnect/sfconnect/codec"
)

const email = "alice@example.com"

type member struct {
	Email string
	Name  string
	Roles []string
	Admin bool
}

// roundTrip converts values of several types with enc's data converter,
// checks no plaintext is left, and reads them back with dec's.
func roundTrip(t *testing.T, enc, dec *codec.Codec) []*commonpb.Payload {
	t.Helper()
	in := []any{email, 42, member{Email: email, Name: "Alice Liddell", Roles: []string{"owner"}, Admin: true}, []byte("xoxb-secret-" + email), nil, map[string]string{"to": email}}
	payloads, err := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), enc).ToPayloads(in...)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads.Payloads) != len(in) {
		t.Fatalf("%d payloads for %d values", len(payloads.Payloads), len(in))
	}
	for i, p := range payloads.Payloads {
		raw, _ := proto.Marshal(p)
		for _, secret := range []string{email, "Alice", "xoxb-secret", "json/plain", "binary/null"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("payload %d contains %q in clear", i, secret)
			}
		}
		if got := string(p.Metadata[converter.MetadataEncoding]); got != codec.MetadataEncodingEncrypted {
			t.Errorf("payload %d encoding %q", i, got)
		}
		if len(p.Metadata) != 2 {
			t.Errorf("payload %d metadata %v: only the encoding and the key id may show", i, p.Metadata)
		}
	}
	var (
		s      string
		n      int
		m      member
		b      []byte
		nilPtr *member
		mp     map[string]string
	)
	if err := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), dec).FromPayloads(payloads, &s, &n, &m, &b, &nilPtr, &mp); err != nil {
		t.Fatal(err)
	}
	if s != email || n != 42 || !reflect.DeepEqual(m, in[2]) || string(b) != "xoxb-secret-"+email || nilPtr != nil || mp["to"] != email {
		t.Fatalf("round trip gave %q %d %+v %q %v %v", s, n, m, b, nilPtr, mp)
	}
	return payloads.Payloads
}

func TestRoundTrip(t *testing.T) {
	k := mustKeys(t, "k1:"+key(1))
	for _, p := range roundTrip(t, codec.New(k), codec.New(k)) {
		if id := string(p.Metadata[codec.MetadataKeyID]); id != "k1" {
			t.Errorf("key id %q, want k1", id)
		}
	}
}

func TestEncodeIsRandomizedAndDoesNotMutate(t *testing.T) {
	c := codec.New(mustKeys(t, "k1:"+key(1)))
	p, _ := converter.GetDefaultDataConverter().ToPayload(email)
	before := proto.Clone(p)
	a, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Encode([]*commonpb.Payload{p})
	if bytes.Equal(a[0].Data, b[0].Data) {
		t.Error("two encodings of one payload are equal: the nonce is not random")
	}
	if !proto.Equal(p, before) {
		t.Error("Encode changed its input")
	}
	// nonce (12) + the marshalled payload + tag (16)
	plain, _ := proto.Marshal(p)
	if len(a[0].Data) != 12+len(plain)+16 {
		t.Errorf("sealed %d bytes from %d", len(a[0].Data), len(plain))
	}
}

func TestKeyRotation(t *testing.T) {
	ringA := mustKeys(t, "A:"+key(1))
	ringBA := mustKeys(t, "B:"+key(2)+",A:"+key(1))
	ringB := mustKeys(t, "B:"+key(2))

	// Sealed with A, opened by [B, A].
	sealedA := roundTrip(t, codec.New(ringA), codec.New(ringBA))
	// New data is sealed with B, which [B, A] and [B] open.
	sealedB := roundTrip(t, codec.New(ringBA), codec.New(ringB))
	if id := string(sealedB[0].Metadata[codec.MetadataKeyID]); id != "B" {
		t.Errorf("the rotated ring seals with %q, want B", id)
	}
	// A ring without A refuses A's data, clearly.
	_, err := codec.New(ringB).Decode(sealedA)
	if err == nil || !strings.Contains(err.Error(), `key "A"`) || !strings.Contains(err.Error(), "not in the key ring") {
		t.Fatalf("decoding A's data without A: %v", err)
	}
	// The same id with another key: an authentication failure, not garbage.
	_, err = codec.New(mustKeys(t, "A:"+key(9))).Decode(sealedA)
	if err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Fatalf("decoding with a different key under id A: %v", err)
	}
}

func TestTampered(t *testing.T) {
	c := codec.New(mustKeys(t, "k1:"+key(1)))
	p, _ := converter.GetDefaultDataConverter().ToPayload(member{Email: email})
	enc, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range []int{0, 12, len(enc[0].Data) / 2, len(enc[0].Data) - 1} {
		bad := proto.Clone(enc[0]).(*commonpb.Payload)
		bad.Data[pos] ^= 0x01
		if _, err := c.Decode([]*commonpb.Payload{bad}); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
			t.Errorf("flipping byte %d: %v", pos, err)
		}
	}
	short := proto.Clone(enc[0]).(*commonpb.Payload)
	short.Data = short.Data[:10]
	if _, err := c.Decode([]*commonpb.Payload{short}); err == nil {
		t.Error("a truncated payload decoded")
	}
	noID := proto.Clone(enc[0]).(*commonpb.Payload)
	delete(noID.Metadata, codec.MetadataKeyID)
	if _, err := c.Decode([]*commonpb.Payload{noID}); err == nil || !strings.Contains(err.Error(), codec.MetadataKeyID) {
		t.Errorf("no key id: %v", err)
	}
}

func TestPlainPassesThrough(t *testing.T) {
	c := codec.New(mustKeys(t, "k1:"+key(1)))
	p, _ := converter.GetDefaultDataConverter().ToPayload(email)
	out, err := c.Decode([]*commonpb.Payload{p})
	if err != nil || out[0] != p {
		t.Fatalf("a plain payload: %v, %v", out, err)
	}
}

// The clients' and workers' data converter refuses a payload in clear: it
// came around the codec (the stock CLI without --codec-endpoint). The
// refusal says how to send it and quotes nothing of it; its failure stays
// readable without the codec, while every other failure is encoded.
func TestDataConverterRefusesPlain(t *testing.T) {
	keys := mustKeys(t, "k1:"+key(1))
	p, _ := converter.GetDefaultDataConverter().ToPayload(email)
	var s string
	err := codec.DataConverter(keys).FromPayload(p, &s)
	if !errors.Is(err, codec.ErrNotEncrypted) || !strings.Contains(err.Error(), "--codec-endpoint") || strings.Contains(err.Error(), email) || s != "" {
		t.Fatalf("a plain payload: %q, %v", s, err)
	}
	// Mixed with sealed ones, the batch is refused too.
	sealed, _ := codec.DataConverter(keys).ToPayload("fine")
	if err := codec.DataConverter(keys).FromPayloads(&commonpb.Payloads{Payloads: []*commonpb.Payload{sealed, p}}, &s, &s); !errors.Is(err, codec.ErrNotEncrypted) {
		t.Fatalf("a batch with one plain payload: %v", err)
	}
	fc := codec.FailureConverter(keys)
	f := fc.ErrorToFailure(fmt.Errorf("unable to decode the input for update %q: %w", "approve", err))
	if !strings.Contains(f.GetMessage(), "--codec-endpoint") {
		t.Fatalf("the refusal is not readable without the codec: %q", f.GetMessage())
	}
	if f := fc.ErrorToFailure(errors.New("unknown member " + email)); strings.Contains(f.GetMessage(), email) {
		t.Fatalf("another failure shows in clear: %q", f.GetMessage())
	}
}

func TestNilKeys(t *testing.T) {
	if dc := codec.DataConverter(nil); dc != converter.GetDefaultDataConverter() {
		t.Errorf("DataConverter(nil) = %T, want the default", dc)
	}
	c := codec.New(nil)
	p, _ := converter.GetDefaultDataConverter().ToPayload(email)
	if _, err := c.Encode([]*commonpb.Payload{p}); err == nil {
		t.Error("a codec without keys encoded (in clear?)")
	}
	if out, err := c.Decode([]*commonpb.Payload{p}); err != nil || out[0] != p {
		t.Errorf("plain payload through a keyless codec: %v", err)
	}
	enc, _ := codec.New(mustKeys(t, "k1:"+key(1))).Encode([]*commonpb.Payload{p})
	if _, err := c.Decode(enc); err == nil || !strings.Contains(err.Error(), codec.EnvKeys) {
		t.Errorf("encrypted payload through a keyless codec: %v", err)
	}
	var opts client.Options
	codec.Configure(&opts, nil)
	if opts.DataConverter != converter.GetDefaultDataConverter() || opts.FailureConverter != temporal.GetDefaultFailureConverter() {
		t.Error("Configure(nil) does not give the defaults")
	}
}

func TestFailureConverter(t *testing.T) {
	keys := mustKeys(t, "k1:"+key(1))
	fc := codec.FailureConverter(keys)
	f := fc.ErrorToFailure(temporal.NewApplicationError("no Slack member for "+email, "NotFound"))
	raw, _ := proto.Marshal(f)
	if bytes.Contains(raw, []byte(email)) {
		t.Fatalf("the failure carries the email in clear: %v", f)
	}
	back := fc.FailureToError(f)
	var app *temporal.ApplicationError
	if !errors.As(back, &app) || !strings.Contains(app.Error(), email) || app.Type() != "NotFound" {
		t.Fatalf("decoded failure: %v", back)
	}
	var opts client.Options
	codec.Configure(&opts, keys)
	if opts.DataConverter == nil || opts.FailureConverter == nil {
		t.Fatal("Configure left a converter unset")
	}
}

func TestConcurrent(t *testing.T) {
	c := codec.New(mustKeys(t, "k1:"+key(1)+",k0:"+key(0)))
	p, _ := converter.GetDefaultDataConverter().ToPayload(member{Email: email})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 100 {
				enc, err := c.Encode([]*commonpb.Payload{p})
				if err != nil {
					t.Error(err)
					return
				}
				dec, err := c.Decode(enc)
				if err != nil || !proto.Equal(dec[0], p) {
					t.Error("concurrent round trip failed", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDecodeAll(t *testing.T) {
	keys := mustKeys(t, "k1:"+key(1))
	dc := codec.DataConverter(keys)
	input, _ := dc.ToPayloads(member{Email: email}, "plain too")
	memo, _ := dc.ToPayload(email)
	search, _ := converter.GetDefaultDataConverter().ToPayload("T0DEMO0001") // never encoded
	ev := &historypb.HistoryEvent{
		EventId: 1,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
				Input:            input,
				Memo:             &commonpb.Memo{Fields: map[string]*commonpb.Payload{"contact": memo}},
				SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"SfWorkspace": search}},
			},
		},
	}
	h := &historypb.History{Events: []*historypb.HistoryEvent{ev}}
	sealed := proto.Clone(h).(*historypb.History)

	if err := codec.DecodeAll(mustKeys(t, "other:"+key(2)), proto.Clone(h)); err == nil {
		t.Error("DecodeAll with the wrong ring succeeded")
	}
	if err := codec.DecodeAll(keys, h); err != nil {
		t.Fatal(err)
	}
	a := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
	var m member
	var s, c string
	if err := converter.GetDefaultDataConverter().FromPayloads(a.Input, &m, &s); err != nil || m.Email != email || s != "plain too" {
		t.Fatalf("input after DecodeAll: %+v %q %v", m, s, err)
	}
	if err := converter.GetDefaultDataConverter().FromPayload(a.Memo.Fields["contact"], &c); err != nil || c != email {
		t.Fatalf("memo after DecodeAll: %q %v", c, err)
	}
	if !proto.Equal(a.SearchAttributes.IndexedFields["SfWorkspace"], search) {
		t.Error("DecodeAll changed a plain payload")
	}
	// Decoding twice is harmless: plain payloads pass through.
	if err := codec.DecodeAll(keys, h); err != nil {
		t.Fatal(err)
	}
	if proto.Equal(h, sealed) {
		t.Error("DecodeAll changed nothing")
	}
}
