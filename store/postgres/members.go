package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// pgMergeMembers upserts the staged members of members_in in key order,
// only touching members whose values differ (those stored as they are
// staged are left out before the upsert, as in pgMergeMappings), and returns the ids of those
// it inserted or changed, whose words must be written, and whether each
// was inserted (xmax = 0: no older version), which has no old words.
var pgMergeMembers = `INSERT INTO members (` + sqlcore.MemberInsertCols + `)
	SELECT ` + sqlcore.MemberInsertCols + ` FROM members_in i
	WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.workspace = i.workspace AND m.user_id = i.user_id
		AND ` + pgUnchanged("m", "i", sqlcore.MemberValueCols) + `)
	ORDER BY workspace, user_id
	ON CONFLICT (workspace, user_id) DO UPDATE SET ` + sqlcore.SetExcluded(sqlcore.MemberUpdateCols) + `
	WHERE ` + pgChanged("members", sqlcore.MemberValueCols) + `
	RETURNING user_id, xmax = 0`

// UpsertMembers stages ms with COPY, merges them in one statement, and
// rewrites the changed members' words, in one transaction.
func (s *pgStore) UpsertMembers(ctx context.Context, workspace string, ms []store.Member) error {
	rows, err := sqlcore.PrepareMembers(workspace, ms, time.Now())
	if err != nil {
		return fmt.Errorf("store: upsert members of %s: %w", workspace, err)
	}
	if len(rows) == 0 {
		return nil
	}
	var inserted, words int64
	err = s.pool.inTx(ctx, func(tx pgx.Tx) error {
		inserted, words = 0, 0
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE members_in (LIKE members) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		args := make([]any, 0, sqlcore.MemberInsertWidth)
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"members_in"}, strings.Split(sqlcore.MemberInsertCols, ", "),
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				args = sqlcore.AppendMemberArgs(args[:0], &rows[i], rows[i].Deleted, pgTime)
				return args, nil
			}))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		res, err := tx.Query(ctx, pgMergeMembers)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		var changed, updated []string
		var id string
		var isNew bool
		_, err = pgx.ForEachRow(res, []any{&id, &isNew}, func() error {
			changed = append(changed, id)
			if isNew {
				inserted++
			} else {
				updated = append(updated, id)
			}
			return nil
		})
		if err != nil || len(changed) == 0 {
			return err
		}
		// Rewrite the changed members' words: delete the updated ones' old
		// words, insert the live members' new ones. A first copy of a
		// directory inserts only, and deletes nothing: the delete by id,
		// planned while the table was small, cost more than a second a page
		// as it grew (FIELD-NOTES, 2026-12-03).
		if len(updated) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM member_words WHERE workspace = $1 AND user_id = ANY($2)`, workspace, updated); err != nil {
				return fmt.Errorf("delete words: %w", err)
			}
		}
		byID := make(map[string]*store.Member, len(rows))
		for i := range rows {
			byID[rows[i].UserID] = &rows[i]
		}
		var wordRows [][]any
		for _, id := range changed {
			if m := byID[id]; !m.Deleted {
				for _, w := range sqlcore.RealNameWords(m.RealName) {
					wordRows = append(wordRows, []any{workspace, id, w})
				}
			}
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"member_words"}, []string{"workspace", "user_id", "word"},
			pgx.CopyFromRows(wordRows))
		if err != nil {
			return fmt.Errorf("insert words: %w", err)
		}
		words = n
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: upsert members of %s: %w", workspace, err)
	}
	s.stats.grew("members", inserted)
	s.stats.grew("member_words", words)
	return nil
}

// pgSearchMembersSQL takes $1 workspace, $2 lo, $3 hi, $4 limit. Every
// branch repeats NOT deleted, the condition of the partial search indexes.
var pgSearchMembersSQL = func() string {
	var branches []string
	for _, c := range sqlcore.SearchedMemberCols {
		branches = append(branches, `SELECT name_lc, user_id FROM members WHERE workspace = $1 AND NOT deleted AND `+
			c+` >= $2 AND `+c+` < $3`)
	}
	branches = append(branches, `SELECT m.name_lc, m.user_id FROM member_words w
		JOIN members m ON m.workspace = w.workspace AND m.user_id = w.user_id
		WHERE w.workspace = $1 AND w.word >= $2 AND w.word < $3 AND NOT m.deleted`)
	return `WITH hits AS (` + strings.Join(branches, " UNION ") + `),
	top AS (SELECT name_lc, user_id FROM hits ORDER BY name_lc, user_id LIMIT $4)
	SELECT ` + sqlcore.PrefixCols("m", sqlcore.MemberCols) + ` FROM top JOIN members m
		ON m.workspace = $1 AND m.user_id = top.user_id
	ORDER BY top.name_lc, top.user_id`
}()

// SearchMembers finds live members by prefix (see the Store interface).
func (s *pgStore) SearchMembers(ctx context.Context, workspace, query string, limit int) ([]store.Member, error) {
	q, n := sqlcore.Fold(query), sqlcore.SearchLimit(limit)
	sql, args := `SELECT `+sqlcore.MemberCols+` FROM members WHERE workspace = $1 AND NOT deleted
		ORDER BY name_lc, user_id LIMIT $2`, []any{workspace, n}
	if q != "" {
		lo, hi := sqlcore.PrefixRange(q)
		sql, args = pgSearchMembersSQL, []any{workspace, lo, hi, n}
	}
	out := []store.Member{}
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (store.Member, error) { return scanPGMember(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: search members of %s: %w", workspace, err)
	}
	return out, nil
}
