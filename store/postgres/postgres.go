package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// pgStore is the PostgreSQL Store.
type pgStore struct {
	pool *pgPool
	// pageHook, when set (tests), sees the length of each ListMappings and
	// StreamJobRows page.
	pageHook func(n int)
	// stats analyzes the tables that bulk writes grow (analyze.go).
	stats *analyzer
}

//go:embed migrations/*.sql
var migrations embed.FS

func init() { store.Register("postgres", engine{}) }

// engine is the PostgreSQL engine of the store.
type engine struct{}

// Open connects to url and checks that the schema of its search_path is
// current.
func (engine) Open(ctx context.Context, url string) (store.Store, error) {
	pool, err := newPGPool(url)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	s := &pgStore{pool: pool, stats: newAnalyzer(pool)}
	if err := s.checkSchema(ctx); err != nil {
		pool.close()
		return nil, fmt.Errorf("store: open postgres %s/%s: %w", pool.cfg.Host, pool.cfg.Database, err)
	}
	return s, nil
}

// Migrate connects to url and migrates the schema of its search_path.
func (engine) Migrate(ctx context.Context, url string) error {
	pool, err := newPGPool(url)
	if err != nil {
		return fmt.Errorf("store: migrate postgres: %w", err)
	}
	defer pool.close()
	s := &pgStore{pool: pool}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate postgres %s/%s: %w", pool.cfg.Host, pool.cfg.Database, err)
	}
	return nil
}

// checkSchema refuses a schema with pending migrations (or none at all),
// and one newer than this binary.
func (s *pgStore) checkSchema(ctx context.Context) error {
	all, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	var versions []int
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		var exists bool
		if err := c.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
			return err
		}
		rows, err := c.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	if err != nil {
		return err
	}
	applied := make(map[int]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	todo, err := sqlcore.Pending(all, applied)
	if err != nil {
		return err
	}
	if len(todo) > 0 {
		return fmt.Errorf("%w (%d of %d migrations pending)", store.ErrSchemaNotCurrent, len(todo), len(all))
	}
	return nil
}

// Close closes the pool.
func (s *pgStore) Close() error {
	s.stats.wait()
	s.pool.close()
	return nil
}

// migrate applies the pending migrations in one transaction that holds an
// advisory lock named after the schema: a second process migrating the same
// schema waits for the lock, then finds them applied, while stores in other
// schemas (tests) migrate in parallel. DDL is transactional in PostgreSQL, so
// a failed migration leaves nothing behind.
func (s *pgStore) migrate(ctx context.Context) error {
	all, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.pool.inTx(ctx, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if schema == nil {
			return errors.New("no schema of the search_path exists")
		}
		h := fnv.New64a()
		h.Write([]byte("sfconnect store migrations\x00" + *schema))
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		applied := make(map[int]bool, len(versions))
		for _, v := range versions {
			applied[v] = true
		}
		todo, err := sqlcore.Pending(all, applied)
		if err != nil {
			return err
		}
		for _, m := range todo {
			// No arguments: pgx sends it by the simple protocol, which runs a
			// file of several statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// pgTime is a time's parameter: NULL for the zero time.
func pgTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// pgTimeOf is a scanned timestamptz in UTC (pgx gives local time).
func pgTimeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// scanPGMapping reads the mappingCols of one row.
func scanPGMapping(row pgx.Row) (store.Mapping, error) {
	var m store.Mapping
	var state, source string
	var expires, created, updated *time.Time
	err := row.Scan(&m.ConnectionID, &m.SlackUserID, &m.Workspace, &m.OrgID,
		&m.SlackEmail, &m.SlackNameID, &m.SlackName,
		&m.SalesforceUserID, &m.SalesforceUsername, &m.SalesforceEmail,
		&state, &source, &expires, &created, &updated, &m.UpdatedBy)
	m.State, m.Source = store.MappingState(state), store.Source(source)
	m.InviteExpiresAt, m.CreatedAt, m.UpdatedAt = pgTimeOf(expires), pgTimeOf(created), pgTimeOf(updated)
	return m, err
}

// scanPGMember reads the memberCols of one row.
func scanPGMember(row pgx.Row) (store.Member, error) {
	var m store.Member
	var updated *time.Time
	err := row.Scan(&m.Workspace, &m.UserID, &m.Name, &m.RealName, &m.Email, &m.SAMLNameID, &m.Deleted, &updated)
	m.UpdatedAt = pgTimeOf(updated)
	return m, err
}

// pgClaimKey records key for a write of kind inside tx, before the write.
// When the key was applied before, it returns that write's result instead
// (found), and the caller writes nothing. A concurrent transaction claiming
// the same key blocks on the primary key until this one ends, then finds
// the key (committed) or claims it (rolled back): never both write.
func pgClaimKey(ctx context.Context, tx pgx.Tx, key, kind string) (prev []byte, found bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES ($1, $2, '{}', now())
		ON CONFLICT (key) DO NOTHING`, key, kind)
	if err != nil {
		return nil, false, fmt.Errorf("claim key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, false, nil
	}
	var gotKind string
	if err := tx.QueryRow(ctx, `SELECT kind, result FROM applied_keys WHERE key = $1`, key).Scan(&gotKind, &prev); err != nil {
		return nil, false, fmt.Errorf("read key: %w", err)
	}
	if gotKind != kind {
		return nil, false, fmt.Errorf("key %q: %w (%s)", key, store.ErrKeyReused, gotKind)
	}
	return prev, true, nil
}

// pgSaveKey stores the result of the write key stands for.
func pgSaveKey(ctx context.Context, tx pgx.Tx, key string, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE applied_keys SET result = $1 WHERE key = $2`, b, key); err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	return nil
}

// pgChanged renders the upsert's "something changed" condition.
func pgChanged(table string, cols []string) string {
	return "(" + sqlcore.PrefixCols(table, sqlcore.JoinCols(cols)) + ") IS DISTINCT FROM (" + sqlcore.PrefixCols("excluded", sqlcore.JoinCols(cols)) + ")"
}

// pgUnchanged renders "the stored row (alias stored) has the staged row's
// (alias staged) values of cols".
func pgUnchanged(stored, staged string, cols []string) string {
	return "(" + sqlcore.PrefixCols(stored, sqlcore.JoinCols(cols)) + ") IS NOT DISTINCT FROM (" + sqlcore.PrefixCols(staged, sqlcore.JoinCols(cols)) + ")"
}
