// Command codec-server serves sfconnect's payload codec over HTTP, so that
// the Temporal Web UI (its codec endpoint setting, or the dev server's
// --ui-codec-endpoint) and `temporal workflow show --codec-endpoint` show
// payloads decoded. Keys come from SFCONNECT_CODEC_KEYS or
// SFCONNECT_CODEC_KEYS_FILE, else from the default run's data directory
// with -dev-data-dir. Beyond loopback it requires authorisation, bearer
// tokens (SFCONNECT_CODEC_TOKENS) or the Web UI's forwarded OIDC access
// token (SFCONNECT_CODEC_OIDC_ISSUER and SFCONNECT_CODEC_OIDC_AUDIENCE) or
// both, and refuses to start without. `codec-server -new-key ID` prints a
// fresh key entry.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/logging"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "codec-server:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", codec.DefaultAddr, "listen address")
	origins := flag.String("origins", strings.Join(codec.UIOrigins("8233"), ","), "comma-separated origins of the Web UI allowed to call the server (* for any)")
	devDataDir := flag.String("dev-data-dir", "", "without "+codec.EnvKeys+"/"+codec.EnvKeysFile+": use (or create) the default run's key in this directory")
	newKey := flag.String("new-key", "", "print a fresh key entry `ID:base64key` with this id, to put first in the key ring, and exit")
	logLevel := flag.String("log-level", cmp.Or(os.Getenv("SFCONNECT_LOG_LEVEL"), "info"), "log level (debug logs every request)")
	healthcheck := flag.Bool("healthcheck", false, "exit 0 if the codec server at -addr answers, 1 if not (Docker's health check), instead of serving")
	flag.Parse()

	if *healthcheck {
		return checkHealth(*addr)
	}

	if *newKey != "" {
		entry, err := codec.NewKey(*newKey)
		if err != nil {
			return err
		}
		fmt.Println(entry)
		return nil
	}

	log, err := logging.New(*logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	keys, source, err := codec.LoadKeysOrDev(os.Getenv, *devDataDir)
	if err != nil {
		return err
	}
	var allowed []string
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			allowed = append(allowed, o)
		}
	}

	startCtx, cancelStart := context.WithTimeout(context.Background(), 30*time.Second)
	auth, err := codec.AuthFromEnv(startCtx, os.Getenv)
	cancelStart()
	if err != nil {
		return err
	}
	if err := codec.CheckExposure(*addr, auth); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           logRequests(log, codec.Handler(keys, allowed, auth)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("codec server listening",
		zap.String("endpoint", "http://"+ln.Addr().String()),
		zap.Strings("origins", allowed),
		zap.String("keys", source),
		zap.Int("bearer_tokens", len(auth.Tokens)),
		zap.String("oidc_issuer", os.Getenv(codec.EnvOIDCIssuer)),
		zap.String("current_key", keys.Current()),
		zap.Strings("key_ids", keys.IDs()))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("codec server stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logRequests logs each request at debug level: never a payload, only what
// was asked and how it ended.
func logRequests(log *zap.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := zap.DebugLevel
		if rec.status >= 400 {
			level = zap.WarnLevel
		}
		log.Log(level, "codec request",
			zap.String("method", r.Method),
			zap.String("path", r.URL.Path),
			zap.Int("status", rec.status),
			zap.String("origin", r.Header.Get("Origin")),
			zap.String("namespace", r.Header.Get("X-Namespace")),
			zap.Duration("took", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// checkHealth asks the codec server at addr to decode nothing: it answers
// 200 when it serves, whatever its keys.
func checkHealth(addr string) error {
	hc := &http.Client{Timeout: 5 * time.Second}
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/decode", strings.NewReader(`{"payloads":[]}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tokens := codec.ParseTokens(os.Getenv(codec.EnvTokens)); len(tokens) > 0 {
		req.Header.Set("Authorization", "Bearer "+tokens[0])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("codec server at %s: %s", addr, resp.Status)
	}
	return nil
}
