// Command sandbox serves the Slack and Salesforce emulator of package
// sandbox on one HTTP listener (default 127.0.0.1:7070), seeded with the demo
// data. It prints one line with its URL once it listens, logs as structured
// JSON on stderr, and shuts down gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/sfconnect/sfconnect/sandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", sandbox.DefaultAddr, "address to listen on")
	seed := flag.Int64("seed", 1, "seed for generated names and the default fault RNG")
	level := zap.LevelFlag("log-level", zapcore.InfoLevel, "log level (debug logs every request)")
	flag.Parse()

	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(*level)
	log, err := cfg.Build()
	if err != nil {
		return fmt.Errorf("logger: %w", err)
	}
	defer func() { _ = log.Sync() }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	sb := sandbox.New(sandbox.Options{Seed: *seed, Logger: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           sb.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	url := "http://" + ln.Addr().String()
	// The one line on stdout, for scripts that wait for the sandbox.
	fmt.Printf("sandbox listening on %s\n", url)
	log.Info("listening", zap.String("url", url))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
