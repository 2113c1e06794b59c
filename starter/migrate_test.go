package starter

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/store"
)

// The store is migrated by `starter migrate` (or the worker), never by a
// command that only opens it: until then, opening it says what to do.
func TestMigrateCommand(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "data", "sfconnect.db")
	if _, err := store.Open(ctx, url); err == nil || !strings.Contains(err.Error(), "starter migrate") {
		t.Fatalf("open before migrate: %v, want an error naming `starter migrate`", err)
	}
	var out, errOut bytes.Buffer
	env := Env{Out: &out, Err: &errOut, Config: config.Config{DatabaseURL: url}}
	if code := Run(ctx, []string{"migrate"}, env); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "sqlite store's schema is up to date") {
		t.Fatalf("migrate said %q", out.String())
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open after migrate: %v", err)
	}
	st.Close()
	out.Reset()
	if code := Run(ctx, []string{"migrate", "--output", "json"}, env); code != 0 || !strings.Contains(out.String(), `"migrated": true`) {
		t.Fatalf("migrate again: exit %d, %q %s", code, out.String(), errOut.String())
	}
}
