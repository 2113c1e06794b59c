package engines_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines"

	"github.com/sfconnect/sfconnect/store"
)

func TestOpenURLs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, u := range []string{
		"sqlite:" + filepath.Join(dir, "a.db"),
		"sqlite://" + filepath.Join(dir, "b.db"), // sqlite:///abs/path
		filepath.Join(dir, "nested", ".data", "c.db"),
	} {
		if err := store.Migrate(ctx, u); err != nil {
			t.Errorf("migrate %s: %v", u, err)
			continue
		}
		s, err := store.Open(ctx, u)
		if err != nil {
			t.Errorf("open %s: %v", u, err)
			continue
		}
		s.Close()
	}
	for _, name := range []string{"a.db", "b.db", "nested/.data/c.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not created: %v", name, err)
		}
	}
	for _, u := range []string{"", "sqlite::memory:", ":memory:", "mysql://u:secret@host/db", "sqlite:" + dir + "/x.db?mode=ro"} {
		s, err := store.Open(ctx, u)
		if err == nil {
			s.Close()
			t.Errorf("open %q: no error", u)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("open %q: error shows the password: %v", u, err)
		}
		if err := store.Migrate(ctx, u); err == nil {
			t.Errorf("migrate %q: no error", u)
		}
	}
}

// Open never migrates: a store that was never migrated is refused with
// ErrSchemaNotCurrent, and nothing is created.
func TestOpenDoesNotMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new", "store.db")
	_, err := store.Open(ctx, "sqlite:"+path)
	if !errors.Is(err, store.ErrSchemaNotCurrent) {
		t.Fatalf("open of a missing store: %v, want ErrSchemaNotCurrent", err)
	}
	if !strings.Contains(err.Error(), "starter migrate") {
		t.Errorf("the error does not say what to do: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("open created %s: %v", path, err)
	}
}

func TestEngines(t *testing.T) {
	if got := strings.Join(store.Engines(), ","); got != "postgres,sqlite" {
		t.Fatalf("registered engines: %s", got)
	}
}
