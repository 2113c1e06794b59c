// Command guard is the door in front of Temporal's frontend (package
// guard): it forwards every call, and refuses those that would record a
// payload sfconnect's codec did not seal, such as a stock `temporal
// workflow signal` without --codec-endpoint, before the server sees them.
// Clients, the CLI and the Web UI connect to it; the frontend itself stays
// on a private network or port. Keys come from SFCONNECT_CODEC_KEYS or
// SFCONNECT_CODEC_KEYS_FILE (the worker's ring), else the default run's
// with -dev-data-dir.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/guard"
	"github.com/sfconnect/sfconnect/logging"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "guard:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:7233", "where clients reach Temporal")
	upstream := flag.String("upstream", cmp.Or(os.Getenv("SFCONNECT_TEMPORAL_FRONTEND"), "127.0.0.1:7234"), "the Temporal frontend behind the guard (host:port)")
	devDataDir := flag.String("dev-data-dir", "", "without "+codec.EnvKeys+"/"+codec.EnvKeysFile+": use the default run's key in this directory")
	logLevel := flag.String("log-level", cmp.Or(os.Getenv("SFCONNECT_LOG_LEVEL"), "info"), "log level")
	healthcheck := flag.Bool("healthcheck", false, "exit 0 if Temporal answers through the guard at -listen, 1 if not (Docker's health check), instead of serving")
	flag.Parse()

	if *healthcheck {
		return checkHealth(*listen)
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
	g, err := guard.New(*upstream, keys, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	log.Info("guard listening", zap.String("addr", ln.Addr().String()), zap.String("upstream", *upstream),
		zap.String("keys", source), zap.Strings("key_ids", keys.IDs()))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- g.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("guard stopping")
	g.Stop()
	if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// checkHealth asks Temporal's health service through the guard, so it
// passes only when both answer.
func checkHealth(addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "temporal.api.workflowservice.v1.WorkflowService"})
	if err != nil {
		return fmt.Errorf("temporal through the guard at %s: %w", addr, err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("temporal through the guard at %s: %s", addr, resp.GetStatus())
	}
	return nil
}
