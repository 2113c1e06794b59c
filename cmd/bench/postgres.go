package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchSchema is a PostgreSQL schema of the bench's own, so that a run
// starts from an empty store on a shared server and leaves nothing behind.
type benchSchema struct {
	base, name string
}

// newBenchSchema creates a fresh schema on the server at base and returns
// it with the store URL that uses it.
func newBenchSchema(ctx context.Context, base string) (*benchSchema, string, error) {
	s := &benchSchema{base: base, name: fmt.Sprintf("sfconnect_bench_%d", time.Now().UnixNano())}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, "", fmt.Errorf("PostgreSQL at %s: %w", base, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+s.name); err != nil {
		return nil, "", fmt.Errorf("create schema %s: %w", s.name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, "", fmt.Errorf("PostgreSQL URL %q: %w", base, err)
	}
	q := u.Query()
	q.Set("search_path", s.name)
	u.RawQuery = q.Encode()
	return s, u.String(), nil
}

// drop removes the schema and everything in it.
func (s *benchSchema) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.base)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, `DROP SCHEMA `+s.name+` CASCADE`)
}

// storeKind names the store of a URL for the report, without credentials.
func storeKind(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme == "sqlite" || u.Scheme == "" {
		return "SQLite (the default)"
	}
	return fmt.Sprintf("PostgreSQL at %s, schema %s", u.Host, u.Query().Get("search_path"))
}
