package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// sqliteChunk is how many rows one multi-row INSERT carries: a few hundred
// rows amortise the statement's cost (FIELD-NOTES: ~600k rows/s against
// ~250k with single-row inserts) while staying far below SQLite's limit of
// 32766 bound parameters (200 mappings are 4200).
const sqliteChunk = 200

// sqliteParams are the connection settings of every connection:
// synchronous NORMAL, durable across process crashes and fast in WAL mode
// (only a power loss can lose the last commits); a busy timeout so that
// another process's write makes us wait rather than fail; foreign keys on,
// off by default in SQLite; temporary storage in memory; a 32 MB page cache
// (the default is 2 MB), so that a batch's index pages are read and written
// once rather than spilled and reread (64 MB took the worker past 300 MB in
// a million-row import, for no speed); the writer's own checkpoint only
// past 40,000 WAL pages, the checkpointer (checkpoint.go) copying
// them beside it long before. WAL itself is set once, at open (see setWAL).
const sqliteParams = "_busy_timeout=10000&_synchronous=NORMAL&_foreign_keys=1" +
	"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(40000)"

// sqliteWriterCacheKB and sqliteReaderCacheKB are the page caches in
// sqliteParams (the writer's and the checkpointer's) and of each reader.
const (
	sqliteWriterCacheKB = 32768
	sqliteReaderCacheKB = 8192
)

// sqliteOffHeapOther is the rest of OffHeapBytes beside the page caches:
// temporary storage (temp_store MEMORY), the connections' schemas and
// prepared statements, and the regions modernc.org/memory keeps for reuse.
// Measured in a million-row import (bin/bench import -rows 1000000, four
// readers): about 70 MB outside Go's heap, the caches' 64 MB included.
const sqliteOffHeapOther = 32 << 20

// sqliteBusyWait bounds how long Open waits for other processes' locks.
const sqliteBusyWait = 10 * time.Second

// sqliteStore is the SQLite Store.
type sqliteStore struct {
	// w is the one writer connection. SQLite allows one writer at a time;
	// queueing the process's writers on Go's pool is fair and immediate,
	// where several connections would spin on SQLite's busy handler. Its
	// transactions are BEGIN IMMEDIATE (_txlock), taking the write lock at
	// once: a deferred transaction that reads then writes can fail with
	// SQLITE_BUSY when another process committed in between, which no busy
	// timeout retries.
	w *sql.DB
	// r are the readers, query-only; in WAL mode they read beside w.
	r *sql.DB
	// readers is how many connections r may open.
	readers int
	// pageHook, when set (tests), sees the length of each ListMappings and
	// StreamJobRows page.
	pageHook func(n int)
	// conns caches the connections' numbers (conns.go): id → int64.
	conns sync.Map
	// checkpoints copies the WAL into the database beside the writer.
	checkpoints *sqliteCheckpointer
	// stmts are the readers' prepared bulk lookups (stmts.go).
	stmts *sqliteStmtCache
}

//go:embed migrations/*.sql
var migrations embed.FS

func init() { store.Register("sqlite", engine{}) }

// engine is the SQLite engine of the store.
type engine struct{}

// Open opens the SQLite store at path, whose schema must be current.
func (engine) Open(ctx context.Context, path string) (store.Store, error) {
	return openSQLite(ctx, path, false)
}

// Migrate creates the SQLite store at path if need be (its directory
// too), and migrates it.
func (engine) Migrate(ctx context.Context, path string) error {
	s, err := openSQLite(ctx, path, true)
	if err != nil {
		return err
	}
	return s.Close()
}

// openSQLite opens the SQLite store at path: when migrate, creating it if
// need be and migrating it; otherwise its schema must be current, and a
// missing file is not created.
func openSQLite(ctx context.Context, path string, migrate bool) (*sqliteStore, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.ContainsAny(path, "?#") {
		// An in-memory database would be one per connection, and '?' would
		// be read as the start of driver parameters.
		return nil, fmt.Errorf("store: open sqlite: %q is not a usable file path", path)
	}
	if !migrate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: open sqlite %s: no such file: %w", path, store.ErrSchemaNotCurrent)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w, err := sql.Open("sqlite", path+"?"+sqliteParams+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers keep a smaller page cache: there are several of them, and the
	// cache is memory outside Go's heap that the worker's limit cannot see.
	r, err := sql.Open("sqlite", path+"?"+strings.Replace(sqliteParams, fmt.Sprintf("cache_size(-%d)", sqliteWriterCacheKB), fmt.Sprintf("cache_size(-%d)", sqliteReaderCacheKB), 1)+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s := &sqliteStore{w: w, r: r, readers: n, stmts: &sqliteStmtCache{db: r}}
	if err := s.setWAL(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if migrate {
		err = s.migrate(ctx)
	} else {
		err = s.checkSchema(ctx)
	}
	if err != nil {
		s.Close()
		if migrate {
			return nil, fmt.Errorf("store: migrate sqlite %s: %w", path, err)
		}
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if s.checkpoints, err = startSQLiteCheckpointer(path, sqliteCheckpointEvery); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open sqlite %s: checkpointer: %w", path, err)
	}
	return s, nil
}

// OffHeapBytes is the store's budget outside Go's heap (store.OffHeap):
// the writer's page cache, each reader's, and sqliteOffHeapOther. The
// checkpointer's cache is not counted: a checkpoint copies WAL frames
// without going through it.
func (s *sqliteStore) OffHeapBytes() int64 {
	return int64(sqliteWriterCacheKB+s.readers*sqliteReaderCacheKB)<<10 + sqliteOffHeapOther
}

// Close stops the checkpointer and closes the pools.
func (s *sqliteStore) Close() error {
	var err error
	if s.checkpoints != nil {
		err = s.checkpoints.close()
	}
	return errors.Join(err, s.stmts.close(), s.r.Close(), s.w.Close())
}

// setWAL puts the database in WAL mode (persistent, in the file), so that
// readers never block the writer nor it them. Switching a new database to
// WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without
// its busy handler, when another process holds the file at that moment (two
// processes opening a new database together): so it is retried here.
func (s *sqliteStore) setWAL(ctx context.Context) error {
	deadline := time.Now().Add(sqliteBusyWait)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		var mode string
		err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		switch {
		case err == nil && strings.EqualFold(mode, "wal"):
			return nil
		case err == nil:
			return fmt.Errorf("journal mode is %q, not wal", mode)
		case !isSQLiteBusy(err) || time.Now().After(deadline):
			return fmt.Errorf("set WAL mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// isSQLiteBusy reports whether err is SQLITE_BUSY (or an extended code of
// it).
func isSQLiteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// migrate applies the pending migrations in one BEGIN IMMEDIATE
// transaction: a second process opening the database at the same moment
// waits for the write lock (busy timeout), then finds them applied. A
// database already up to date is seen so by a read, without the write
// lock: a CLI opening the store while a worker writes batch after batch
// would otherwise wait its turn for the lock, and SQLite's busy handler,
// polling, can miss every gap between the worker's transactions for longer
// than its timeout (seen: "database is locked" at migrate).
func (s *sqliteStore) migrate(ctx context.Context) error {
	all, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	if applied, err := sqliteAppliedMigrations(ctx, s.r); err == nil {
		todo, err := sqlcore.Pending(all, applied)
		if err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return err
	}
	applied, err := sqliteAppliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	todo, err := sqlcore.Pending(all, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if step := sqliteMigrationSteps[m.Version]; step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return tx.Commit()
}

// checkSchema refuses a database without the schema, or with migrations
// pending, or newer than this binary; it only reads.
func (s *sqliteStore) checkSchema(ctx context.Context) error {
	all, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	applied, err := sqliteAppliedMigrations(ctx, s.r)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return store.ErrSchemaNotCurrent
		}
		return err
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

// sqliteAppliedMigrations reads the versions recorded in
// schema_migrations; an error when there is no such table yet.
func sqliteAppliedMigrations(ctx context.Context, q sqliteQuerier) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	return applied, errors.Join(rows.Err(), rows.Close())
}

// sqliteTime is a time's value: INTEGER microseconds since the epoch, NULL
// for the zero time.
func sqliteTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// sqliteTimeOf reads a sqliteTime back, in UTC.
func sqliteTimeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// sqliteBool is SQLite's boolean, an INTEGER 0 or 1.
func sqliteBool(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanSQLiteMapping reads the sqliteMappingCols of one row of
// connectionID's.
func scanSQLiteMapping(sc scanner, connectionID string) (store.Mapping, error) {
	m := store.Mapping{ConnectionID: connectionID}
	var conn int64
	var state, source string
	var expires, created, updated sql.NullInt64
	err := sc.Scan(&conn, &m.SlackUserID, &m.Workspace, &m.OrgID,
		&m.SlackEmail, &m.SlackNameID, &m.SlackName,
		&m.SalesforceUserID, &m.SalesforceUsername, &m.SalesforceEmail,
		&state, &source, &expires, &created, &updated, &m.UpdatedBy)
	m.State, m.Source = store.MappingState(state), store.Source(source)
	m.InviteExpiresAt, m.CreatedAt, m.UpdatedAt = sqliteTimeOf(expires), sqliteTimeOf(created), sqliteTimeOf(updated)
	return m, err
}

// scanSQLiteMember reads the memberCols of one row.
func scanSQLiteMember(sc scanner) (store.Member, error) {
	var m store.Member
	var deleted int64
	var updated sql.NullInt64
	err := sc.Scan(&m.Workspace, &m.UserID, &m.Name, &m.RealName, &m.Email, &m.SAMLNameID, &deleted, &updated)
	m.Deleted, m.UpdatedAt = deleted != 0, sqliteTimeOf(updated)
	return m, err
}

// sqliteBatch prepares a multi-row statement once per shape (a row count,
// or what else tells its text, K) within one transaction: every full chunk
// reuses one statement, the last partial chunk gets its own.
type sqliteBatch[K comparable] struct {
	tx    *sql.Tx
	build func(shape K) string
	stmts map[K]*sql.Stmt
}

func newSQLiteBatch[K comparable](tx *sql.Tx, build func(shape K) string) *sqliteBatch[K] {
	return &sqliteBatch[K]{tx: tx, build: build, stmts: map[K]*sql.Stmt{}}
}

func (b *sqliteBatch[K]) stmt(ctx context.Context, n K) (*sql.Stmt, error) {
	if st, ok := b.stmts[n]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, b.build(n))
	if err != nil {
		return nil, err
	}
	b.stmts[n] = st
	return st, nil
}

// sqliteLookup runs lookups' statement for n keys with args and puts each
// row it finds into into, by key: the stored rows a writer compares its
// chunk with.
func sqliteLookup[T any](ctx context.Context, lookups *sqliteBatch[int], n int, args []any,
	scan func(scanner) (T, error), key func(T) string, into map[string]T) error {
	st, err := lookups.stmt(ctx, n)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	found, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("lookup: %w", err)
	}
	for found.Next() {
		v, err := scan(found)
		if err != nil {
			found.Close()
			return fmt.Errorf("lookup: %w", err)
		}
		into[key(v)] = v
	}
	if err := errors.Join(found.Err(), found.Close()); err != nil {
		return fmt.Errorf("lookup: %w", err)
	}
	return nil
}

func (b *sqliteBatch[K]) close() {
	for _, st := range b.stmts {
		st.Close()
	}
}

// valuesList renders n rows of width placeholders: "(?, ?), (?, ?)".
func valuesList(n, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// sqliteClaimKey records key for a write of kind inside tx, before the
// write. When the key was applied before, it returns that write's result
// instead (found), and the caller writes nothing.
func sqliteClaimKey(ctx context.Context, tx *sql.Tx, key, kind string) (prev []byte, found bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES (?, ?, '{}', ?)
		ON CONFLICT (key) DO NOTHING`, key, kind, time.Now().UnixMicro())
	if err != nil {
		return nil, false, fmt.Errorf("claim key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, false, err
	}
	var gotKind, result string
	if err := tx.QueryRowContext(ctx, `SELECT kind, result FROM applied_keys WHERE key = ?`, key).Scan(&gotKind, &result); err != nil {
		return nil, false, fmt.Errorf("read key: %w", err)
	}
	if gotKind != kind {
		return nil, false, fmt.Errorf("key %q: %w (%s)", key, store.ErrKeyReused, gotKind)
	}
	return []byte(result), true, nil
}

// sqliteSaveKey stores the result of the write key stands for.
func sqliteSaveKey(ctx context.Context, tx *sql.Tx, key string, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE applied_keys SET result = ? WHERE key = ?`, string(b), key); err != nil {
		return fmt.Errorf("save key: %w", err)
	}
	return nil
}
