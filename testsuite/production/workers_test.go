package production

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// workerProcess is one sfconnect worker (cmd/worker), a child process as
// in production: killed, restarted, two at once. The guard runs as one too,
// with its args.
type workerProcess struct {
	name, bin, logFile string
	args               []string
	env                map[string]string
	cmd                *exec.Cmd
	done               chan struct{}
}

// buildCommands builds cmd/worker and cmd/guard into dir, as the image does.
func buildCommands(ctx context.Context, root, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", "./cmd/worker", "./cmd/guard")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the worker and the guard: %w\n%s", err, out)
	}
	return nil
}

func (w *workerProcess) start() error {
	log, err := os.OpenFile(w.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w.cmd = exec.Command(w.bin, w.args...)
	w.cmd.Env = environ(w.env)
	w.cmd.Stdout, w.cmd.Stderr = log, log
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := w.cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start worker %s: %w", w.name, err)
	}
	w.done = make(chan struct{})
	go func() { _ = w.cmd.Wait(); log.Close(); close(w.done) }()
	return nil
}

// running reports whether the process has not exited.
func (w *workerProcess) running() bool {
	if w.done == nil {
		return false
	}
	select {
	case <-w.done:
		return false
	default:
		return true
	}
}

// kill ends the worker as a crash would: SIGKILL to its pid, no goodbye.
func (w *workerProcess) kill() {
	if !w.running() {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.done
}

// stop ends the worker as an operator would (SIGTERM), killing it after 20 s.
func (w *workerProcess) stop() {
	if !w.running() {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(20 * time.Second):
		w.kill()
	}
}
