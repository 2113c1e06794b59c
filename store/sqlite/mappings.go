package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// SQLite writes a chunk of a batch as: a multi-row INSERT … ON CONFLICT DO
// NOTHING RETURNING of every row, which tells the new ones; then, only when
// some were stored already, one lookup of those and a prepared single-row
// UPDATE of the changed ones; all "OR ROLLBACK". A batch of new members
// (a CSV job's, an automatic mapping's first run) thus costs one statement
// per chunk, with no lookup. Not an INSERT … ON CONFLICT DO UPDATE: SQLite
// keeps a statement journal for any multi-row statement that may abort
// alone (an upsert's DO UPDATE may), copying every page it touches; that
// copying halved the load rate. A statement that can only roll back the
// whole transaction (which an error does here anyway) needs no journal.

// sqliteLookupMappings reads the stored rows of n users of one connection.
func sqliteLookupMappings(n int) string {
	return "SELECT " + sqliteMappingCols + " FROM mappings WHERE conn = ? AND slack_user_id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// sqliteInsertMappings inserts those of a chunk of mappings that are new,
// and returns their users; the arguments are compacted by sharedArgs, the
// shared columns bound once (shared_args.go).
func sqliteInsertMappings(shape sqliteInsertShape) string {
	// "WHERE true": an INSERT … SELECT's ON CONFLICT needs it, to be told
	// from a join's ON.
	return "INSERT OR ROLLBACK INTO mappings (" + sqliteMappingInsertCols + ") " +
		sharedSelect(shape.rows, sqliteMappingInsertWidth, shape.shared) +
		" WHERE true ON CONFLICT (conn, slack_user_id) DO NOTHING RETURNING slack_user_id"
}

// sqliteInsertShape tells one insert statement of a write from another.
type sqliteInsertShape struct {
	rows   int
	shared sharedColumns
}

// sqliteUpdateMapping rewrites one changed mapping; its arguments are
// mappingUpdateCols then the key.
var sqliteUpdateMapping = "UPDATE OR ROLLBACK mappings SET " + sqlcore.SetParams(sqlcore.MappingUpdateCols) +
	", revision = revision + 1 WHERE conn = ? AND slack_user_id = ?"

// ApplyMappings writes ms in chunks of at most sqliteChunk rows of one
// connection, in key order (sequential primary key inserts), in one
// transaction with the key's record.
func (s *sqliteStore) ApplyMappings(ctx context.Context, key string, ms []store.Mapping) (res store.ApplyResult, err error) {
	rows, err := sqlcore.PrepareMappings(ms, time.Now())
	if err != nil {
		return res, fmt.Errorf("store: apply mappings: %w", err)
	}
	slices.SortFunc(rows, func(a, b store.Mapping) int {
		return cmp.Or(strings.Compare(a.ConnectionID, b.ConnectionID), strings.Compare(a.SlackUserID, b.SlackUserID))
	})
	nums, err := s.connNums(ctx, rows)
	if err != nil {
		return res, fmt.Errorf("store: apply mappings: %w", err)
	}
	write := newSQLiteMappingWrite(rows, nums)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("store: apply mappings: %w", err)
	}
	defer tx.Rollback()
	if key != "" {
		prev, found, err := sqliteClaimKey(ctx, tx, key, sqlcore.KindApply)
		if err != nil {
			return res, fmt.Errorf("store: apply mappings: %w", err)
		}
		if found {
			if err := json.Unmarshal(prev, &res); err != nil {
				return res, fmt.Errorf("store: apply mappings: key %q: %w", key, err)
			}
			res.Replayed = true
			return res, nil
		}
	}
	if res, err = write.write(ctx, tx); err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: apply mappings: %w", err)
	}
	if key != "" {
		if err := sqliteSaveKey(ctx, tx, key, res); err != nil {
			return store.ApplyResult{}, fmt.Errorf("store: apply mappings: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: apply mappings: commit: %w", err)
	}
	return res, nil
}

// sqliteMappingWrite is a write of prepared mappings (sorted by connection
// then user) made ready before the writer's transaction: its chunks of at
// most sqliteChunk rows of one connection and their INSERT arguments, so
// that the one writer spends its time writing.
type sqliteMappingWrite struct {
	rows   []store.Mapping
	chunks []sqliteMappingChunk
}

// sqliteMappingChunk is rows[from:to] of a write, of connection number
// conn, and their insert arguments, compacted by sharedArgs.
type sqliteMappingChunk struct {
	from, to int
	conn     int64
	shared   sharedColumns
	args     []any
}

// newSQLiteMappingWrite makes rows ready, nums holding the number of each
// of their connections.
func newSQLiteMappingWrite(rows []store.Mapping, nums map[string]int64) *sqliteMappingWrite {
	w := &sqliteMappingWrite{rows: rows}
	args := make([]any, 0, min(len(rows), sqliteChunk)*sqliteMappingInsertWidth)
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && end-start < sqliteChunk && rows[end].ConnectionID == rows[start].ConnectionID {
			end++
		}
		conn := nums[rows[start].ConnectionID]
		args = args[:0]
		for i := start; i < end; i++ {
			args = appendSQLiteMappingArgs(args, &rows[i], conn)
		}
		shared, compact := sharedArgs(args, sqliteMappingInsertWidth)
		w.chunks = append(w.chunks, sqliteMappingChunk{start, end, conn, shared, compact})
		start = end
	}
	return w
}

// write inserts each chunk's rows that are new, then reads the others
// back and rewrites those that changed.
func (mw *sqliteMappingWrite) write(ctx context.Context, tx *sql.Tx) (res store.ApplyResult, err error) {
	w := &sqliteMappingWriter{
		lookups: newSQLiteBatch(tx, sqliteLookupMappings),
		inserts: newSQLiteBatch(tx, sqliteInsertMappings),
		stored:  make(map[string]store.Mapping, sqliteChunk),
		fresh:   make(map[string]bool, sqliteChunk),
	}
	defer w.close()
	if w.update, err = tx.PrepareContext(ctx, sqliteUpdateMapping); err != nil {
		return res, fmt.Errorf("prepare: %w", err)
	}
	for _, c := range mw.chunks {
		if err := w.write(ctx, mw.rows[c.from:c.to], c, &res); err != nil {
			return store.ApplyResult{}, fmt.Errorf("rows of %s from %s: %w", mw.rows[c.from].ConnectionID, mw.rows[c.from].SlackUserID, err)
		}
	}
	res.Unchanged = len(mw.rows) - res.Inserted - res.Updated
	return res, nil
}

// sqliteMappingWriter holds one write's statements and buffers.
type sqliteMappingWriter struct {
	lookups   *sqliteBatch[int]
	inserts   *sqliteBatch[sqliteInsertShape]
	update    *sql.Stmt
	stored    map[string]store.Mapping
	fresh     map[string]bool
	args, row []any
}

func (w *sqliteMappingWriter) close() {
	w.lookups.close()
	w.inserts.close()
	if w.update != nil {
		w.update.Close()
	}
}

// write writes the rows of one chunk c of a write.
func (w *sqliteMappingWriter) write(ctx context.Context, chunk []store.Mapping, c sqliteMappingChunk, res *store.ApplyResult) error {
	conn := c.conn
	st, err := w.inserts.stmt(ctx, sqliteInsertShape{len(chunk), c.shared})
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	inserted, err := st.QueryContext(ctx, c.args...)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	clear(w.fresh)
	for inserted.Next() {
		var id string
		if err := inserted.Scan(&id); err != nil {
			inserted.Close()
			return fmt.Errorf("insert: %w", err)
		}
		w.fresh[id] = true
	}
	if err := errors.Join(inserted.Err(), inserted.Close()); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	res.Inserted += len(w.fresh)
	if len(w.fresh) == len(chunk) {
		return nil
	}

	// The rows that were stored already: read back, compared, rewritten
	// when they changed.
	clear(w.stored)
	w.args = append(w.args[:0], conn)
	for i := range chunk {
		if !w.fresh[chunk[i].SlackUserID] {
			w.args = append(w.args, chunk[i].SlackUserID)
		}
	}
	scan := func(sc scanner) (store.Mapping, error) { return scanSQLiteMapping(sc, chunk[0].ConnectionID) }
	if err := sqliteLookup(ctx, w.lookups, len(w.args)-1, w.args, scan, func(m store.Mapping) string { return m.SlackUserID }, w.stored); err != nil {
		return err
	}
	for i := range chunk {
		m := &chunk[i]
		old, ok := w.stored[m.SlackUserID]
		switch {
		case w.fresh[m.SlackUserID]:
		case !ok:
			return fmt.Errorf("%s: neither inserted nor stored", m.SlackUserID)
		case sqlcore.SameMappingValues(old, *m):
			// Unchanged: not touched, UpdatedAt and UpdatedBy stay.
		default:
			w.row = appendSQLiteMappingArgs(w.row[:0], m, conn)
			w.args = sqlcore.PickArgs(w.args[:0], w.row, sqliteMappingUpdateArgs, conn, m.SlackUserID)
			if _, err := w.update.ExecContext(ctx, w.args...); err != nil {
				return fmt.Errorf("update %s: %w", m.SlackUserID, err)
			}
			res.Updated++
		}
	}
	return nil
}

// GetMapping reads one mapping.
func (s *sqliteStore) GetMapping(ctx context.Context, connectionID, slackUserID string) (store.Mapping, bool, error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: get mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	m, err := scanSQLiteMapping(s.r.QueryRowContext(ctx, `SELECT `+sqliteMappingCols+` FROM mappings
		WHERE conn = ? AND slack_user_id = ?`, conn, slackUserID), connectionID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Mapping{}, false, nil
	}
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: get mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	return m, true, nil
}

// FindBySalesforceUser reads the live mapping holding a Salesforce user,
// through the index mappings_sf_user.
func (s *sqliteStore) FindBySalesforceUser(ctx context.Context, connectionID, salesforceUserID string) (store.Mapping, bool, error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: find mapping of Salesforce user %s in %s: %w", salesforceUserID, connectionID, err)
	}
	m, err := scanSQLiteMapping(s.r.QueryRowContext(ctx, `SELECT `+sqliteMappingCols+` FROM mappings INDEXED BY mappings_sf_user
		WHERE conn = ? AND salesforce_user_id = ? AND state IN ('invited', 'linked')
		ORDER BY updated_at DESC, slack_user_id LIMIT 1`, conn, salesforceUserID), connectionID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Mapping{}, false, nil
	}
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: find mapping of Salesforce user %s in %s: %w", salesforceUserID, connectionID, err)
	}
	return m, true, nil
}

// ListMappings reads keyset pages (slack_user_id > the last one seen) and
// hands each page to fn once it is read, so no statement is open while fn
// runs.
func (s *sqliteStore) ListMappings(ctx context.Context, connectionID string, states []store.MappingState, fn func(store.Mapping) error) error {
	filter, fargs, err := sqlcore.StateFilter(states, func(int) string { return "?" })
	if err != nil {
		return fmt.Errorf("store: list mappings: %w", err)
	}
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return fmt.Errorf("store: list mappings of %s: %w", connectionID, err)
	}
	query := `SELECT ` + sqliteMappingCols + ` FROM mappings WHERE conn = ? AND slack_user_id > ?` + filter +
		` ORDER BY slack_user_id LIMIT ?`
	page := make([]store.Mapping, 0, sqlcore.ListPageSize)
	after := ""
	for {
		page = page[:0]
		args := append([]any{conn, after}, fargs...)
		rows, err := s.r.QueryContext(ctx, query, append(args, sqlcore.ListPageSize)...)
		if err != nil {
			return fmt.Errorf("store: list mappings of %s: %w", connectionID, err)
		}
		for rows.Next() {
			m, err := scanSQLiteMapping(rows, connectionID)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: list mappings of %s: %w", connectionID, err)
			}
			page = append(page, m)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("store: list mappings of %s: %w", connectionID, err)
		}
		if s.pageHook != nil {
			s.pageHook(len(page))
		}
		for _, m := range page {
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(page) < sqlcore.ListPageSize {
			return nil
		}
		after = page[len(page)-1].SlackUserID
	}
}

// CountMappings counts by state over the connection's range of the
// primary key.
func (s *sqliteStore) CountMappings(ctx context.Context, connectionID string) (map[store.MappingState]int, error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: count mappings of %s: %w", connectionID, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM mappings WHERE conn = ? GROUP BY state`, conn)
	if err != nil {
		return nil, fmt.Errorf("store: count mappings of %s: %w", connectionID, err)
	}
	out, err := scanCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("store: count mappings of %s: %w", connectionID, err)
	}
	return out, nil
}

// scanCounts reads (state, count) rows.
func scanCounts(rows *sql.Rows) (map[store.MappingState]int, error) {
	defer rows.Close()
	out := sqlcore.StateCounts()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[store.MappingState(st)] = n
	}
	return out, rows.Err()
}

// SearchMappings collects the hits of one prefix range per searched column
// as (name, id) pairs, sorts them by name, keeps limit, and only then reads
// those rows. The Slack name and email are the member's, ranged in the
// directory copy's indexes, each member hit probing mappings by key.
func (s *sqliteStore) SearchMappings(ctx context.Context, connectionID, query string, limit int) ([]store.Mapping, error) {
	q, n := sqlcore.Fold(query), sqlcore.SearchLimit(limit)
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: search mappings of %s: %w", connectionID, err)
	}
	var rows *sql.Rows
	if q == "" {
		rows, err = s.r.QueryContext(ctx, `SELECT `+sqliteMappingCols+` FROM mappings WHERE conn = ?
			ORDER BY slack_user_id LIMIT ?`, conn, n)
	} else {
		lo, hi := sqlcore.PrefixRange(q)
		idLo, idHi := sqlcore.PrefixRange(strings.ToUpper(q))
		rows, err = s.r.QueryContext(ctx, sqliteSearchMappingsSQL, conn, lo, hi, n, idLo, idHi)
	}
	if err != nil {
		return nil, fmt.Errorf("store: search mappings of %s: %w", connectionID, err)
	}
	defer rows.Close()
	out := []store.Mapping{}
	for rows.Next() {
		m, err := scanSQLiteMapping(rows, connectionID)
		if err != nil {
			return nil, fmt.Errorf("store: search mappings of %s: %w", connectionID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search mappings of %s: %w", connectionID, err)
	}
	return out, nil
}

// sqliteSearchIndex names the index of each searched column (see the
// migration on INDEXED BY).
var sqliteSearchIndex = map[string]string{
	"salesforce_username_lc": "mappings_search_sf_username",
	"salesforce_email_lc":    "mappings_search_sf_email",
	"name_lc":                "members_search_name",
	"real_name_lc":           "members_search_real_name",
	"email_lc":               "members_search_email",
	"user_id_lc":             "members_search_id",
}

// sqliteSearchMappingsSQL takes ?1 connection number, ?2 lo, ?3 hi, ?4 limit, and
// ?5 and ?6, the bounds of the upper-cased query (Slack ids are upper
// case). The workspace of the member branches is the connection's (every
// mapping of a connection has it); CROSS JOIN keeps the member index the
// outer loop.
var sqliteSearchMappingsSQL = func() string {
	const ws = `(SELECT workspace FROM mappings WHERE conn = ?1 LIMIT 1)`
	var branches []string
	for _, c := range sqlcore.MemberColsOfMappings {
		branches = append(branches, `SELECT m.slack_name_lc, m.slack_user_id FROM members x INDEXED BY `+sqliteSearchIndex[c]+
			` CROSS JOIN mappings m ON m.conn = ?1 AND m.slack_user_id = x.user_id
			WHERE x.workspace = `+ws+` AND x.deleted = 0 AND x.`+c+` >= ?2 AND x.`+c+` < ?3`)
	}
	branches = append(branches, `SELECT m.slack_name_lc, m.slack_user_id FROM member_words w INDEXED BY member_words_search
			CROSS JOIN mappings m ON m.conn = ?1 AND m.slack_user_id = w.user_id
			WHERE w.workspace = `+ws+` AND w.word >= ?2 AND w.word < ?3`,
		`SELECT slack_name_lc, slack_user_id FROM mappings WHERE conn = ?1 AND slack_user_id >= ?5 AND slack_user_id < ?6`)
	for _, c := range sqlcore.SearchedMappingCols {
		branches = append(branches, `SELECT slack_name_lc, slack_user_id FROM mappings INDEXED BY `+sqliteSearchIndex[c]+
			` WHERE conn = ?1 AND `+c+` >= ?2 AND `+c+` < ?3`+sqlcore.SearchBranchCond[c])
	}
	return `WITH hits (slack_name_lc, slack_user_id) AS (` + strings.Join(branches, " UNION ") + `),
	top AS (SELECT slack_name_lc, slack_user_id FROM hits ORDER BY slack_name_lc, slack_user_id LIMIT ?4)
	SELECT ` + sqlcore.PrefixCols("m", sqliteMappingCols) + ` FROM top JOIN mappings m
		ON m.conn = ?1 AND m.slack_user_id = top.slack_user_id
	ORDER BY top.slack_name_lc, top.slack_user_id`
}()

// ClearMapping clears a live mapping, recording key in the same
// transaction.
func (s *sqliteStore) ClearMapping(ctx context.Context, key, connectionID, slackUserID, by string, at time.Time) (bool, error) {
	at = sqlcore.UTCMicro(at)
	if at.IsZero() {
		at = sqlcore.UTCMicro(time.Now())
	}
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	defer tx.Rollback()
	if key != "" {
		prev, found, err := sqliteClaimKey(ctx, tx, key, sqlcore.KindClear)
		if err != nil {
			return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
		}
		if found {
			var r sqlcore.ClearResult
			if err := json.Unmarshal(prev, &r); err != nil {
				return false, fmt.Errorf("store: clear mapping %s/%s: key %q: %w", connectionID, slackUserID, key, err)
			}
			return r.Cleared, nil
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE mappings SET state = 'cleared', invite_expires_at = NULL,
			updated_at = ?, updated_by = ?, revision = revision + 1
		WHERE conn = ? AND slack_user_id = ? AND state IN ('invited', 'linked')`,
		at.UnixMicro(), by, conn, slackUserID)
	if err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	if key != "" {
		if err := sqliteSaveKey(ctx, tx, key, sqlcore.ClearResult{Cleared: n > 0}); err != nil {
			return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: commit: %w", connectionID, slackUserID, err)
	}
	return n > 0, nil
}

// ExpireInvitations clears the invitations past their expiry, through the
// partial index mappings_invite_expiry.
func (s *sqliteStore) ExpireInvitations(ctx context.Context, connectionID string, now time.Time) (int, error) {
	now = sqlcore.UTCMicro(now)
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return 0, fmt.Errorf("store: expire invitations of %s: %w", connectionID, err)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE mappings INDEXED BY mappings_invite_expiry
		SET state = 'cleared', invite_expires_at = NULL, updated_at = ?, updated_by = ?, revision = revision + 1
		WHERE conn = ? AND state = 'invited' AND invite_expires_at <= ?`,
		now.UnixMicro(), store.ExpiredBy, conn, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("store: expire invitations of %s: %w", connectionID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: expire invitations of %s: %w", connectionID, err)
	}
	return int(n), nil
}
