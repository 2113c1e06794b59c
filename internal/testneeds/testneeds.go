// Package testneeds decides what a test does when something it needs from
// the machine is missing (PostgreSQL, the Temporal CLI, chromium): `go
// test ./...` anywhere skips it with a line that says how to run it;
// `make test`, which sets EnvRequire, fails instead, so that nothing
// passes there by being skipped.
package testneeds

import (
	"fmt"
	"os"
	"testing"
)

// EnvRequire, when non-empty, makes a missing need a failure (the Makefile
// exports it).
const EnvRequire = "SFCONNECT_TEST_REQUIRE_ALL"

// Required reports whether missing needs fail rather than skip.
func Required() bool { return os.Getenv(EnvRequire) != "" }

// Missing skips t (fails it under `make test`) because what is missing,
// with why and how to provide it.
func Missing(t testing.TB, what, how string, why error) {
	t.Helper()
	msg := message(what, how, why)
	if Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// MissingMain is Missing for a TestMain that cannot start the package's
// shared environment: it prints the line and returns the exit code, 0
// (the package skipped) or, under `make test`, 1.
func MissingMain(what, how string, why error) int {
	msg := message(what, how, why)
	if Required() {
		fmt.Fprintln(os.Stderr, "FAIL:", msg)
		return 1
	}
	fmt.Println("SKIP (every test of this package):", msg)
	return 0
}

func message(what, how string, why error) string {
	return fmt.Sprintf("needs %s (%v): %s; `make test` provides it and runs everything", what, why, how)
}
