package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// An interrupted bench runs its cleanups and stops, by pid, the processes
// it started: here a child that would otherwise outlive it (as the dev
// server did), in a copy of the test binary that plays the bench.
func TestInterruptStopsWhatTheBenchStarted(t *testing.T) {
	if os.Getenv("BENCH_INTERRUPT_PLAY") != "" {
		playInterruptedBench()
		return
	}
	marker := filepath.Join(t.TempDir(), "cleaned")
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptStopsWhatTheBenchStarted$")
	cmd.Env = append(os.Environ(), "BENCH_INTERRUPT_PLAY=1", "BENCH_INTERRUPT_MARKER="+marker)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the played bench said nothing: %v", err)
	}
	child, err := strconv.Atoi(line[:len(line)-1])
	if err != nil {
		t.Fatalf("child pid %q: %v", line, err)
	}
	if !alive(child) {
		t.Fatalf("child %d is not running", child)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Fatalf("the played bench ended with %v, want exit status %d", err, 128+int(syscall.SIGTERM))
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the cleanup did not run: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(child) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(child) {
		_ = syscall.Kill(child, syscall.SIGKILL)
		t.Fatalf("child %d outlived the interrupted bench", child)
	}
}

// playInterruptedBench is the bench's side: a child of its own, a cleanup,
// then waiting for the signal.
func playInterruptedBench() {
	handleInterrupts()
	onInterrupt(func() { _ = os.WriteFile(os.Getenv("BENCH_INTERRUPT_MARKER"), nil, 0o644) })
	sleep := exec.Command("sleep", "300")
	if err := sleep.Start(); err != nil {
		os.Exit(3)
	}
	os.Stdout.WriteString(strconv.Itoa(sleep.Process.Pid) + "\n")
	time.Sleep(time.Minute)
	os.Exit(4)
}
