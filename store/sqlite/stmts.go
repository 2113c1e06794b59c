package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// The bulk lookups (GetMembers, GetMappings, GetLiveMappingsBySalesforceUsers)
// send the same statement again and again: an IN list of sqlcore.GetManyChunk keys.
// Prepared anew each time, its parsing was 7% of the worker's CPU over a
// million-row import; the readers keep such statements prepared instead
// (database/sql prepares one on each reader connection the first time it
// runs there).

// sqliteStmtCache holds the readers' prepared statements, by text.
type sqliteStmtCache struct {
	db    *sql.DB
	stmts sync.Map // string → *sql.Stmt
}

// query runs query on the readers through its prepared statement.
func (c *sqliteStmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *sqliteStmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded { // another goroutine's came first
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// close closes every statement.
func (c *sqliteStmtCache) close() error {
	var errs []error
	c.stmts.Range(func(k, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errors.Join(errs...)
}

// sqliteInList queries the readers with a statement whose IN list has n
// keys: through the prepared full-chunk statement when n is sqlcore.GetManyChunk,
// the size of all but the last chunk of a bulk lookup, else as a one-off.
func (s *sqliteStore) sqliteInList(ctx context.Context, n int, query string, args ...any) (*sql.Rows, error) {
	if n == sqlcore.GetManyChunk {
		return s.stmts.query(ctx, query, args...)
	}
	return s.r.QueryContext(ctx, query, args...)
}

// sqliteInLister runs a bulk lookup's query, whose IN list has n keys: the
// readers' sqliteInList, or a transaction's (txInList).
type sqliteInLister func(ctx context.Context, n int, query string, args ...any) (*sql.Rows, error)

// txInList runs bulk lookups in tx, which must see its own writes.
func txInList(tx *sql.Tx) sqliteInLister {
	return func(ctx context.Context, _ int, query string, args ...any) (*sql.Rows, error) {
		return tx.QueryContext(ctx, query, args...)
	}
}
