// Command console serves sfconnect's web console: the pages where Slack
// owners and admins, Salesforce system administrators and members sign in
// and act as themselves. It reaches Temporal and the store as the worker
// does (TEMPORAL_*, DATABASE_URL) and signs its assertions with the key the
// worker verifies them with (SFCONNECT_SIGNING_KEY).
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/console"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	opts, err := cfg.ClientOptions(logging.Temporal(log))
	if err != nil {
		return err
	}
	tc, err := client.Dial(opts)
	if err != nil {
		return fmt.Errorf("reach Temporal at %s: %w", opts.HostPort, err)
	}
	defer tc.Close()
	st, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer st.Close()
	settings := console.SettingsFrom(cfg, os.Getenv)
	srv, err := console.Open(cfg, settings, &sfclient.Client{Temporal: tc, Config: cfg, Store: st}, log.Named("console"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Addr: settings.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("console listening", zap.String("addr", settings.Addr), zap.String("url", settings.BaseURL))
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", settings.Addr, err)
	}
	return nil
}
