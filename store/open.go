package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Engine is one database engine behind the Store contract. Engines register
// themselves (Register, from their package's init), as database/sql drivers
// do: a binary links in the engines it serves by importing them, usually
// all of them through store/engines. The contract never imports an engine.
type Engine interface {
	// Open connects to the store at url, whose schema must be current:
	// an error wrapping ErrSchemaNotCurrent when a migration is pending.
	// It changes nothing in the database's schema.
	Open(ctx context.Context, url string) (Store, error)
	// Migrate creates or brings the schema at url up to date, safely
	// beside other processes migrating or using it.
	Migrate(ctx context.Context, url string) error
}

// ErrSchemaNotCurrent is what Open returns (wrapped) when the database's
// schema is missing or older than this binary: the worker migrates it at
// start, and `starter migrate` does so for operators.
var ErrSchemaNotCurrent = errors.New("the store's schema is missing or older than this binary: start the worker, or run `starter migrate`, to migrate it")

var (
	enginesMu sync.RWMutex
	engines   = map[string]Engine{}
)

// Register makes an engine available under name ("sqlite", "postgres"). It
// panics when the name is taken, as a second driver of one name in
// database/sql does.
func Register(name string, e Engine) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if _, dup := engines[name]; dup {
		panic("store: engine " + name + " registered twice")
	}
	engines[name] = e
}

// Engines lists the names of the registered engines, sorted.
func Engines() []string {
	enginesMu.RLock()
	defer enginesMu.RUnlock()
	out := make([]string, 0, len(engines))
	for n := range engines {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// EngineOf names the engine of a store URL, and what that engine is given:
// "postgres://…" or "postgresql://…" is PostgreSQL (the URL itself; any pgx
// connection string parameter, search_path included, is honoured);
// "sqlite:PATH" (also "sqlite:///abs/path") or a plain file path is SQLite
// (the path).
func EngineOf(url string) (name, rest string, err error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "postgres", url, nil
	case strings.HasPrefix(url, "sqlite:"):
		// "sqlite:///abs" and "sqlite://rel" are the URL spellings of
		// "sqlite:/abs" and "sqlite:rel".
		return "sqlite", strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"), nil
	case url == "":
		return "", "", errors.New("empty URL")
	case strings.Contains(url, "://"):
		// Only the scheme is quoted: the rest may hold a password.
		scheme, _, _ := strings.Cut(url, "://")
		return "", "", fmt.Errorf("unsupported scheme %q (want postgres://, postgresql://, sqlite:PATH or a file path)", scheme)
	default:
		return "sqlite", url, nil
	}
}

// engineFor finds the registered engine of url.
func engineFor(url string) (Engine, string, error) {
	name, rest, err := EngineOf(url)
	if err != nil {
		return nil, "", err
	}
	enginesMu.RLock()
	e := engines[name]
	enginesMu.RUnlock()
	if e == nil {
		return nil, "", fmt.Errorf("engine %q is not linked into this binary (import github.com/sfconnect/sfconnect/store/engines)", name)
	}
	return e, rest, nil
}

// Open opens the store at url (see EngineOf for the URLs), whose schema
// must be current (ErrSchemaNotCurrent otherwise): Open never migrates, so
// a CLI call or a console cannot change a schema as a side effect; the
// worker and `starter migrate` call Migrate.
func Open(ctx context.Context, url string) (Store, error) {
	e, rest, err := engineFor(url)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	return e.Open(ctx, rest)
}

// Migrate creates the store at url or brings its schema up to date; it is
// safe to run from several processes at once and beside running ones.
func Migrate(ctx context.Context, url string) error {
	e, rest, err := engineFor(url)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return e.Migrate(ctx, rest)
}

// MigrateAndOpen migrates the store at url, then opens it: what the worker
// does at start.
func MigrateAndOpen(ctx context.Context, url string) (Store, error) {
	if err := Migrate(ctx, url); err != nil {
		return nil, err
	}
	return Open(ctx, url)
}
