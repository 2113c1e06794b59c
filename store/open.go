package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Open opens the store at url, creating or migrating its schema, and picks
// the implementation from the URL: "postgres://…" or "postgresql://…" is
// PostgreSQL (any pgx connection string parameter, search_path included, is
// honoured); "sqlite:PATH" (also "sqlite:///abs/path") or a plain file path
// is SQLite, in WAL mode with synchronous NORMAL, a busy timeout and foreign
// keys on, its directory created if missing.
func Open(ctx context.Context, url string) (Store, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case strings.HasPrefix(url, "sqlite:"):
		// "sqlite:///abs" and "sqlite://rel" are the URL spellings of
		// "sqlite:/abs" and "sqlite:rel".
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		return openSQLite(ctx, path)
	case url == "":
		return nil, errors.New("store: open: empty URL")
	case strings.Contains(url, "://"):
		// Only the scheme is quoted: the rest may hold a password.
		scheme, _, _ := strings.Cut(url, "://")
		return nil, fmt.Errorf("store: open: unsupported scheme %q (want postgres://, postgresql://, sqlite:PATH or a file path)", scheme)
	default:
		return openSQLite(ctx, url)
	}
}
