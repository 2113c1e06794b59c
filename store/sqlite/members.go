package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// Members are written as mappings are (see mappings.go): a lookup
// per chunk, a multi-row INSERT of the new members, a prepared UPDATE per
// changed one, then their words rewritten.

// sqliteLookupMembers reads the stored rows of n members of one workspace.
func sqliteLookupMembers(n int) string {
	return "SELECT " + sqlcore.MemberCols + " FROM members WHERE workspace = ? AND user_id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// sqliteInsertMembers inserts n new members.
func sqliteInsertMembers(n int) string {
	return "INSERT OR ROLLBACK INTO members (" + sqlcore.MemberInsertCols + ") VALUES " + valuesList(n, sqlcore.MemberInsertWidth)
}

// sqliteUpdateMember rewrites one changed member; its arguments are
// memberUpdateCols then the key.
var sqliteUpdateMember = "UPDATE OR ROLLBACK members SET " + sqlcore.SetParams(sqlcore.MemberUpdateCols) +
	" WHERE workspace = ? AND user_id = ?"

// sqliteInsertWords inserts n (workspace, user_id, word) rows.
func sqliteInsertWords(n int) string {
	return "INSERT OR ROLLBACK INTO member_words (workspace, user_id, word) VALUES " + valuesList(n, 3)
}

// UpsertMembers writes ms in chunks of sqliteChunk, in user id order,
// rewriting the words of the members that changed, in one transaction.
func (s *sqliteStore) UpsertMembers(ctx context.Context, workspace string, ms []store.Member) error {
	rows, err := sqlcore.PrepareMembers(workspace, ms, time.Now())
	if err != nil {
		return fmt.Errorf("store: upsert members of %s: %w", workspace, err)
	}
	slices.SortFunc(rows, func(a, b store.Member) int { return strings.Compare(a.UserID, b.UserID) })
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: upsert members of %s: %w", workspace, err)
	}
	defer tx.Rollback()
	w := &sqliteMemberWriter{
		workspace: workspace,
		lookups:   newSQLiteBatch(tx, sqliteLookupMembers),
		inserts:   newSQLiteBatch(tx, sqliteInsertMembers),
		words:     newSQLiteBatch(tx, sqliteInsertWords),
		stored:    make(map[string]store.Member, sqliteChunk),
	}
	defer w.close()
	if w.update, err = tx.PrepareContext(ctx, sqliteUpdateMember); err != nil {
		return fmt.Errorf("store: upsert members of %s: prepare: %w", workspace, err)
	}
	if w.unword, err = tx.PrepareContext(ctx, `DELETE FROM member_words WHERE workspace = ? AND user_id = ?`); err != nil {
		return fmt.Errorf("store: upsert members of %s: prepare: %w", workspace, err)
	}
	for start := 0; start < len(rows); start += sqliteChunk {
		chunk := rows[start:min(start+sqliteChunk, len(rows))]
		if err := w.write(ctx, chunk); err != nil {
			return fmt.Errorf("store: upsert members of %s: from %s: %w", workspace, chunk[0].UserID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: upsert members of %s: commit: %w", workspace, err)
	}
	return nil
}

// sqliteMemberWriter holds one UpsertMembers' statements and buffers.
type sqliteMemberWriter struct {
	workspace           string
	lookups, inserts    *sqliteBatch[int]
	words               *sqliteBatch[int]
	update, unword      *sql.Stmt
	stored              map[string]store.Member
	args, row, wordArgs []any
	fresh               []*store.Member
}

func (w *sqliteMemberWriter) close() {
	w.lookups.close()
	w.inserts.close()
	w.words.close()
	for _, st := range []*sql.Stmt{w.update, w.unword} {
		if st != nil {
			st.Close()
		}
	}
}

// write writes one chunk of members.
func (w *sqliteMemberWriter) write(ctx context.Context, chunk []store.Member) error {
	clear(w.stored)
	w.args = append(w.args[:0], w.workspace)
	for i := range chunk {
		w.args = append(w.args, chunk[i].UserID)
	}
	if err := sqliteLookup(ctx, w.lookups, len(chunk), w.args, scanSQLiteMember, func(m store.Member) string { return m.UserID }, w.stored); err != nil {
		return err
	}

	w.fresh = w.fresh[:0]
	w.wordArgs = w.wordArgs[:0]
	for i := range chunk {
		m := &chunk[i]
		old, ok := w.stored[m.UserID]
		switch {
		case !ok:
			w.fresh = append(w.fresh, m)
		case sqlcore.SameMemberValues(old, *m):
			continue // unchanged: not touched, nor its words
		default:
			w.row = sqlcore.AppendMemberArgs(w.row[:0], m, sqliteBool(m.Deleted), sqliteTime)
			w.args = sqlcore.PickArgs(w.args[:0], w.row, sqlcore.MemberUpdateArgs, w.workspace, m.UserID)
			if _, err := w.update.ExecContext(ctx, w.args...); err != nil {
				return fmt.Errorf("update %s: %w", m.UserID, err)
			}
			if _, err := w.unword.ExecContext(ctx, w.workspace, m.UserID); err != nil {
				return fmt.Errorf("delete words of %s: %w", m.UserID, err)
			}
		}
		if !m.Deleted {
			for _, word := range sqlcore.RealNameWords(m.RealName) {
				w.wordArgs = append(w.wordArgs, w.workspace, m.UserID, word)
			}
		}
	}
	if len(w.fresh) > 0 {
		w.args = w.args[:0]
		for _, m := range w.fresh {
			w.args = sqlcore.AppendMemberArgs(w.args, m, sqliteBool(m.Deleted), sqliteTime)
		}
		st, err := w.inserts.stmt(ctx, len(w.fresh))
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		if _, err := st.ExecContext(ctx, w.args...); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
	}
	for words := w.wordArgs; len(words) > 0; {
		n := min(len(words)/3, sqliteChunk)
		st, err := w.words.stmt(ctx, n)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		if _, err := st.ExecContext(ctx, words[:3*n]...); err != nil {
			return fmt.Errorf("insert words: %w", err)
		}
		words = words[3*n:]
	}
	return nil
}

// SearchMembers collects the hits of one prefix range per searched column
// and of member_words as (name, id) pairs, sorts them by name, keeps limit,
// and only then reads those rows. Every branch repeats "deleted = 0", the
// condition of the partial search indexes, which SQLite uses only then.
func (s *sqliteStore) SearchMembers(ctx context.Context, workspace, query string, limit int) ([]store.Member, error) {
	q, n := sqlcore.Fold(query), sqlcore.SearchLimit(limit)
	var rows *sql.Rows
	var err error
	if q == "" {
		rows, err = s.r.QueryContext(ctx, `SELECT `+sqlcore.MemberCols+` FROM members WHERE workspace = ? AND deleted = 0
			ORDER BY name_lc, user_id LIMIT ?`, workspace, n)
	} else {
		lo, hi := sqlcore.PrefixRange(q)
		rows, err = s.r.QueryContext(ctx, sqliteSearchMembersSQL, workspace, lo, hi, n)
	}
	if err != nil {
		return nil, fmt.Errorf("store: search members of %s: %w", workspace, err)
	}
	defer rows.Close()
	out := []store.Member{}
	for rows.Next() {
		m, err := scanSQLiteMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: search members of %s: %w", workspace, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search members of %s: %w", workspace, err)
	}
	return out, nil
}

// sqliteSearchMembersSQL takes ?1 workspace, ?2 lo, ?3 hi, ?4 limit.
var sqliteSearchMembersSQL = func() string {
	var branches []string
	for _, c := range sqlcore.SearchedMemberCols {
		branches = append(branches, `SELECT name_lc, user_id FROM members INDEXED BY `+sqliteSearchIndex[c]+
			` WHERE workspace = ?1 AND deleted = 0 AND `+c+` >= ?2 AND `+c+` < ?3`)
	}
	branches = append(branches, `SELECT m.name_lc, m.user_id FROM member_words w INDEXED BY member_words_search
		JOIN members m ON m.workspace = w.workspace AND m.user_id = w.user_id
		WHERE w.workspace = ?1 AND w.word >= ?2 AND w.word < ?3 AND m.deleted = 0`)
	return `WITH hits (name_lc, user_id) AS (` + strings.Join(branches, " UNION ") + `),
	top AS (SELECT name_lc, user_id FROM hits ORDER BY name_lc, user_id LIMIT ?4)
	SELECT ` + sqlcore.PrefixCols("m", sqlcore.MemberCols) + ` FROM top JOIN members m
		ON m.workspace = ?1 AND m.user_id = top.user_id
	ORDER BY top.name_lc, top.user_id`
}()
