// Package logging builds sfconnect's zap loggers and bridges them into the
// Temporal SDK, so that the SDK's own lines and ours are one structured
// stream.
package logging

import (
	"fmt"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a production (JSON) zap logger at the given level ("debug",
// "info", "warn", "error") writing to the given paths (stderr when none).
// Its lines never show an email (see redact.go).
func New(level string, paths ...string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Encoding = redactedJSON
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	if len(paths) > 0 {
		cfg.OutputPaths = paths
		cfg.ErrorOutputPaths = paths
	}
	return cfg.Build()
}

// Temporal adapts a zap logger to the SDK's log.Logger.
func Temporal(z *zap.Logger) log.Logger {
	return sdkLogger{z.WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

type sdkLogger struct{ s *zap.SugaredLogger }

func (l sdkLogger) Debug(msg string, keyvals ...any) { l.s.Debugw(msg, keyvals...) }
func (l sdkLogger) Info(msg string, keyvals ...any)  { l.s.Infow(msg, keyvals...) }
func (l sdkLogger) Warn(msg string, keyvals ...any)  { l.s.Warnw(msg, keyvals...) }
func (l sdkLogger) Error(msg string, keyvals ...any) { l.s.Errorw(msg, keyvals...) }

// With gives the SDK's per-workflow and per-activity fields (workflow and
// run ids among them) to every line.
func (l sdkLogger) With(keyvals ...any) log.Logger { return sdkLogger{l.s.With(keyvals...)} }
