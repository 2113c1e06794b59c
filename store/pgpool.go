package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgPool is a small pool of pgx connections. pgxpool would do, but it needs
// github.com/jackc/puddle/v2, which the module's go.sum does not carry; this
// is all the store needs of it: at most max connections, idle ones reused,
// broken ones or ones left inside a transaction thrown away.
type pgPool struct {
	cfg  *pgx.ConnConfig
	sem  chan struct{} // one token per open or opening connection in use
	mu   sync.Mutex
	idle []pgIdle
	done bool
}

// pgIdle is an idle connection and when it went idle.
type pgIdle struct {
	conn  *pgx.Conn
	since time.Time
}

// pgMaxIdle is how long an idle connection is kept: long enough to serve a
// busy worker, short enough not to hold server slots forever.
const pgMaxIdle = 5 * time.Minute

// newPGPool parses a postgres:// URL; its pool_max_conns parameter (as
// pgxpool spells it) sets the pool's size, the rest goes to pgx.
func newPGPool(connString string) (*pgPool, error) {
	size := max(4, runtime.GOMAXPROCS(0))
	if u, err := url.Parse(connString); err == nil {
		q := u.Query()
		if v := q.Get("pool_max_conns"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("pool_max_conns %q is not a positive number", v)
			}
			size = n
			q.Del("pool_max_conns")
			u.RawQuery = q.Encode()
			connString = u.String()
		}
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, err // pgx masks the password in its errors
	}
	return &pgPool{cfg: cfg, sem: make(chan struct{}, size)}, nil
}

// acquire returns an idle connection, or a new one when there is none and
// the pool is not full; otherwise it waits for a release or ctx.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		<-p.sem
		return nil, errors.New("store closed")
	}
	var stale []*pgx.Conn
	for len(p.idle) > 0 {
		last := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if time.Since(last.since) > pgMaxIdle || last.conn.IsClosed() {
			stale = append(stale, last.conn)
			continue
		}
		p.mu.Unlock()
		closeAll(stale)
		return last.conn, nil
	}
	p.mu.Unlock()
	closeAll(stale)
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.sem
		return nil, err
	}
	return c, nil
}

// release gives c back: kept when healthy and idle (outside any
// transaction), closed otherwise.
func (p *pgPool) release(c *pgx.Conn) {
	defer func() { <-p.sem }()
	healthy := !c.IsClosed() && !c.PgConn().IsBusy() && c.PgConn().TxStatus() == 'I'
	p.mu.Lock()
	if healthy && !p.done {
		p.idle = append(p.idle, pgIdle{conn: c, since: time.Now()})
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	closeAll([]*pgx.Conn{c})
}

// close closes the idle connections; connections in use close on release.
func (p *pgPool) close() {
	p.mu.Lock()
	p.done = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, i := range idle {
		closeAll([]*pgx.Conn{i.conn})
	}
}

// closeAll closes connections, with a bound on the goodbye.
func closeAll(cs []*pgx.Conn) {
	for _, c := range cs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Close(ctx)
		cancel()
	}
}

// with runs fn on a pooled connection.
func (p *pgPool) with(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(c)
	return fn(c)
}

// inTx runs fn in a transaction on a pooled connection, committing when fn
// returns nil and rolling back otherwise.
func (p *pgPool) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return p.with(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
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
	})
}
