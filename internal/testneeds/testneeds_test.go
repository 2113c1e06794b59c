package testneeds

import (
	"errors"
	"testing"
)

// Without EnvRequire a missing need skips and says how to run; with it,
// the exit code of a TestMain is a failure.
func TestMissing(t *testing.T) {
	t.Setenv(EnvRequire, "")
	if code := MissingMain("the Temporal CLI at .bin/temporal", "run `make .bin/temporal`", errors.New("no such file")); code != 0 {
		t.Errorf("without %s: exit %d, want 0 (skipped)", EnvRequire, code)
	}
	t.Setenv(EnvRequire, "1")
	if code := MissingMain("PostgreSQL", "start it", errors.New("refused")); code != 1 {
		t.Errorf("with %s: exit %d, want 1", EnvRequire, code)
	}
	if m := message("PostgreSQL", "start it", errors.New("refused")); m != "needs PostgreSQL (refused): start it; `make test` provides it and runs everything" {
		t.Errorf("message %q", m)
	}
	t.Run("skips", func(t *testing.T) {
		t.Setenv(EnvRequire, "")
		Missing(t, "x", "y", errors.New("z"))
		t.Error("not skipped")
	})
}
