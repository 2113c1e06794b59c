package production

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/logging"
)

// serverPorts are the environment variables of the server's embedded
// config template that name a port; each gets a free loopback port.
var serverPorts = []string{
	"FRONTEND_GRPC_PORT", "FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT",
	"INTERNAL_FRONTEND_GRPC_PORT", "INTERNAL_FRONTEND_HTTP_PORT", "INTERNAL_FRONTEND_MEMBERSHIP_PORT",
	"HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT",
	"MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT",
	"WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT",
}

// temporalServer is the Temporal server process (go.temporal.io/server's
// cmd/server), started from environment variables alone as compose's
// temporal service starts it.
type temporalServer struct {
	bin, logFile string
	env          map[string]string
	hostPort     string
	cmd          *exec.Cmd
	done         chan struct{}
}

// newTemporalServer prepares the server's environment: compose's temporal
// service's, on this host's PostgreSQL with this run's databases, its
// dynamic config file from the repository, loopback ports of its own, and
// 4 history shards (compose's 512 hold about 57 connections of a local
// PostgreSQL that allows 100, shared).
func newTemporalServer(root, serverDir, logFile string, c composeFile, d databases) (*temporalServer, error) {
	svc, err := c.service("temporal")
	if err != nil {
		return nil, err
	}
	env := svc.env(map[string]string{"TEMPORAL_DB_PASSWORD": d.TemporalPassword})
	dc, err := svc.hostPath(root, env["DYNAMIC_CONFIG_FILE_PATH"])
	if err != nil {
		return nil, fmt.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH: %w", err)
	}
	// What compose sets, for this host…
	for k, v := range map[string]string{
		"POSTGRES_SEEDS": pgHost, "DB_PORT": pgPort,
		"POSTGRES_USER": d.TemporalUser, "DBNAME": d.TemporalDB, "VISIBILITY_DBNAME": d.VisibilityDB,
		"DYNAMIC_CONFIG_FILE_PATH": dc,
		"NUM_HISTORY_SHARDS":       "4",
		"BIND_ON_IP":               "127.0.0.1",
	} {
		if _, ok := env[k]; !ok {
			return nil, fmt.Errorf("docker-compose.yml: the temporal service sets no %s (has the server's configuration changed?)", k)
		}
		env[k] = v
	}
	// …and what it leaves to the template's defaults: four services, each
	// with a pool for each database, kept well under the shared 100
	// connections.
	for k, v := range map[string]string{
		"SQL_MAX_CONNS": "5", "SQL_MAX_IDLE_CONNS": "5", "SQL_VIS_MAX_CONNS": "3", "SQL_VIS_MAX_IDLE_CONNS": "3",
		"LOG_LEVEL": "warn",
	} {
		env[k] = v
	}
	for _, k := range serverPorts {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		env[k] = strconv.Itoa(p)
	}
	return &temporalServer{
		bin: filepath.Join(serverDir, "server"), logFile: logFile, env: env,
		hostPort: "127.0.0.1:" + env["FRONTEND_GRPC_PORT"],
	}, nil
}

// start starts the server (with --allow-no-auth: nothing here
// authenticates, and the server says future versions demand the flag) and
// waits until its frontend answers.
func (s *temporalServer) start(ctx context.Context) error {
	log, err := os.OpenFile(s.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	s.cmd = exec.Command(s.bin, "--allow-no-auth", "start")
	s.cmd.Env = environ(s.env)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	// Killed with this process, should it die before its cleanup runs.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); log.Close(); close(s.done) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		if err := s.healthy(ctx); err == nil {
			return nil
		} else if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the Temporal server on %s is not healthy (see %s): %w", s.hostPort, s.logFile, err)
		}
		select {
		case <-s.done:
			return fmt.Errorf("the Temporal server exited: %v (see %s)", s.cmd.ProcessState, s.logFile)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *temporalServer) healthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.hostPort, Logger: logging.Temporal(zap.NewNop())})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// stop ends the server as an operator would (SIGTERM), by its pid, and
// kills it if it has not exited after 30 s.
func (s *temporalServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// runSchema runs compose's temporal-schema step (deploy/temporal/schema.sh)
// against this run's databases, with the schema tool and schemas
// `make temporal-server` installed.
func runSchema(ctx context.Context, root, serverDir, logFile string, c composeFile, d databases) error {
	svc, err := c.service("temporal-schema")
	if err != nil {
		return err
	}
	script, err := svc.script(root)
	if err != nil {
		return fmt.Errorf("temporal-schema: %w", err)
	}
	env := svc.env(map[string]string{"TEMPORAL_DB_PASSWORD": d.TemporalPassword})
	env["POSTGRES_SEEDS"], env["DB_PORT"] = pgHost, pgPort
	env["POSTGRES_USER"], env["DBNAME"], env["VISIBILITY_DBNAME"] = d.TemporalUser, d.TemporalDB, d.VisibilityDB
	env["SQL_TOOL"] = filepath.Join(serverDir, "sql")
	env["SCHEMA_DIR"] = filepath.Join(serverDir, "schema", "postgresql", "v12")
	return runScript(ctx, script, env, logFile)
}

// runSetup runs compose's temporal-setup step (deploy/temporal/setup.sh):
// the namespace and the search attributes, with the pinned Temporal CLI.
func runSetup(ctx context.Context, root, cliBin, hostPort, logFile string, c composeFile) error {
	svc, err := c.service("temporal-setup")
	if err != nil {
		return err
	}
	script, err := svc.script(root)
	if err != nil {
		return fmt.Errorf("temporal-setup: %w", err)
	}
	env := svc.env(nil)
	env["TEMPORAL_ADDRESS"] = hostPort
	env["PATH"] = filepath.Dir(cliBin) + ":" + os.Getenv("PATH")
	return runScript(ctx, script, env, logFile)
}

func runScript(ctx context.Context, script string, env map[string]string, logFile string) error {
	log, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, "sh", script)
	cmd.Env = environ(env)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(logFile)
		return fmt.Errorf("sh %s: %w\n%s", script, err, tail(out, 3000))
	}
	return nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// freePort is a loopback port nothing listens on now, below 32768: the
// server stores membership ports in a smallint column, and the kernel's
// own picks (":0") are above it.
func freePort() (int, error) {
	for range 200 {
		p := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		ln.Close()
		return p, nil
	}
	return 0, fmt.Errorf("no free loopback port between 20000 and 32000")
}
