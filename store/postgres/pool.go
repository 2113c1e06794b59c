package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgPool is the store's pgxpool, with the two ways the store uses a
// connection: with (one connection for a few statements) and inTx (a
// transaction). pgxpool already does what the store needs: a bounded
// number of connections, idle ones reused and closed after a while, broken
// ones or ones returned inside a transaction thrown away, and its
// pool_max_conns URL parameter.
type pgPool struct {
	*pgxpool.Pool
	cfg *pgx.ConnConfig
}

// pgMaxIdle is how long an idle connection is kept: long enough to serve a
// busy worker, short enough not to hold server slots forever.
const pgMaxIdle = 5 * time.Minute

// newPGPool parses a postgres:// URL and makes the pool; connections open
// on first use. pool_max_conns sets the pool's size; pgxpool's default,
// max(4, the number of CPUs), is the one the store had before.
func newPGPool(connString string) (*pgPool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, err // pgx masks the password in its errors
	}
	cfg.MaxConnIdleTime = pgMaxIdle
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	return &pgPool{Pool: pool, cfg: cfg.ConnConfig}, nil
}

// close closes the pool, waiting for the connections in use.
func (p *pgPool) close() { p.Pool.Close() }

// with runs fn on a pooled connection.
func (p *pgPool) with(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return fn(c.Conn())
}

// inTx runs fn in a transaction on a pooled connection, committing when fn
// returns nil and rolling back otherwise.
func (p *pgPool) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := p.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
