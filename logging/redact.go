package logging

import (
	"regexp"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// Logs name members by id, never by email (SPEC section 12). Most lines
// are ours and carry ids; but an error's text can quote an address — a
// refusal naming the Salesforce username that asked, an API error echoing
// its query — and the SDK logs activity errors whole. So the encoder
// itself replaces anything shaped like an email, in every field of every
// line, whoever wrote it.

// redactedJSON is the encoding name New's loggers use.
const redactedJSON = "sfconnect-redacted-json"

// Redacted is what an email becomes in a log line.
const Redacted = "<email>"

// emailShape is an address as logs would show it; the domain must end in
// letters, so module versions in stack traces (sdk@v1.50.0) stay.
var emailShape = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

func init() {
	err := zap.RegisterEncoder(redactedJSON, func(cfg zapcore.EncoderConfig) (zapcore.Encoder, error) {
		return redactingEncoder{zapcore.NewJSONEncoder(cfg)}, nil
	})
	if err != nil {
		panic(err)
	}
}

// RedactEmails returns s with every email replaced by Redacted.
func RedactEmails(s string) string { return emailShape.ReplaceAllLiteralString(s, Redacted) }

// redactingEncoder is a JSON encoder whose encoded lines have their emails
// replaced. It works on the encoded bytes, so that fields of any kind
// (errors, structs, the message) are covered.
type redactingEncoder struct{ zapcore.Encoder }

func (e redactingEncoder) Clone() zapcore.Encoder { return redactingEncoder{e.Encoder.Clone()} }

func (e redactingEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	buf, err := e.Encoder.EncodeEntry(ent, fields)
	if err != nil || !emailShape.Match(buf.Bytes()) {
		return buf, err
	}
	out := emailShape.ReplaceAllLiteral(buf.Bytes(), []byte(Redacted))
	buf.Reset()
	_, _ = buf.Write(out)
	return buf, nil
}
