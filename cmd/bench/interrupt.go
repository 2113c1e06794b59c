package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The bench starts a dev server, a worker and, for PostgreSQL, a schema;
// an interrupted bench must not leave them behind. SIGINT, SIGTERM and
// SIGHUP cancel the run and run the cleanups registered so far (a bench
// environment registers its stop as soon as it exists); then every process
// the bench itself started that still runs — found by its parent's pid, so
// a dev server whose start was interrupted too — is stopped by its pid:
// SIGINT, and SIGKILL after stopGrace.

// stopGrace is how long a child may take to end after SIGINT.
const stopGrace = 10 * time.Second

// interruptExit is the exit status after a signal: 128 + its number, as a
// shell reports it.
func interruptExit(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

var cleanups struct {
	sync.Mutex
	next int
	fns  map[int]func()
}

// onInterrupt registers fn to run if the bench is interrupted; the func it
// returns unregisters it (fn ran in the normal way).
func onInterrupt(fn func()) (unregister func()) {
	cleanups.Lock()
	defer cleanups.Unlock()
	if cleanups.fns == nil {
		cleanups.fns = map[int]func(){}
	}
	id := cleanups.next
	cleanups.next++
	cleanups.fns[id] = fn
	return func() {
		cleanups.Lock()
		delete(cleanups.fns, id)
		cleanups.Unlock()
	}
}

// runCleanups runs the registered cleanups, each once, at the same time
// (each is bounded by its own timeouts).
func runCleanups() {
	cleanups.Lock()
	fns := cleanups.fns
	cleanups.fns = nil
	cleanups.Unlock()
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(fn)
	}
	wg.Wait()
}

// handleInterrupts returns the bench's context, cancelled by the first
// SIGINT, SIGTERM or SIGHUP, after which the cleanups run, the bench's own
// children are stopped, and the process exits.
func handleInterrupts() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-sigs
		cancel()
		os.Stderr.WriteString("bench: " + sig.String() + ": stopping the dev server, the worker and what else this bench started\n")
		runCleanups()
		stopChildren(os.Getpid(), stopGrace)
		os.Exit(interruptExit(sig))
	}()
	return ctx
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses,
		// so the fields are counted after its last ')'.
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == pid {
			if child, err := strconv.Atoi(filepath.Base(filepath.Dir(path))); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}

// stopChildren stops the running children of pid by their pids: SIGINT,
// then SIGKILL for those still there after grace. It returns the pids it
// signalled.
func stopChildren(pid int, grace time.Duration) []int {
	children := childPIDs(pid)
	for _, c := range children {
		_ = syscall.Kill(c, syscall.SIGINT)
	}
	deadline := time.Now().Add(grace)
	for _, c := range children {
		for alive(c) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(c) {
			_ = syscall.Kill(c, syscall.SIGKILL)
		}
	}
	return children
}

// alive reports whether pid still runs (a zombie, ended but not yet
// reaped by its parent, does not).
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}
