package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// pgMergeMappings upserts the staged rows of mappings_in in key order (so
// that two transactions touching the same rows lock them in the same order
// and cannot deadlock), only touching rows whose values differ, and counts
// what it did from RETURNING revision: 1 for an insert, more for an update.
// Rows already stored as they are staged are left out before the upsert
// (pgUnchanged): ON CONFLICT DO UPDATE locks every conflicting row, a
// write to each, even when its WHERE then changes nothing.
var pgMergeMappings = `WITH up AS (
	INSERT INTO mappings (` + sqlcore.MappingInsertCols + `)
	SELECT ` + sqlcore.MappingInsertCols + ` FROM mappings_in i
	WHERE NOT EXISTS (SELECT 1 FROM mappings m WHERE m.connection_id = i.connection_id AND m.slack_user_id = i.slack_user_id
		AND ` + pgUnchanged("m", "i", sqlcore.MappingValueCols) + `)
	ORDER BY connection_id, slack_user_id
	ON CONFLICT (connection_id, slack_user_id) DO UPDATE SET ` + sqlcore.SetExcluded(sqlcore.MappingUpdateCols) + `,
		revision = mappings.revision + 1
	WHERE ` + pgChanged("mappings", sqlcore.MappingValueCols) + `
	RETURNING revision
) SELECT count(*) FILTER (WHERE revision = 1), count(*) FILTER (WHERE revision > 1) FROM up`

// ApplyMappings stages ms with COPY into a temporary table (one round trip
// for any number of rows) and merges them with one INSERT … SELECT … ON
// CONFLICT, in one transaction with the key's record.
func (s *pgStore) ApplyMappings(ctx context.Context, key string, ms []store.Mapping) (store.ApplyResult, error) {
	rows, err := sqlcore.PrepareMappings(ms, time.Now())
	if err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: apply mappings: %w", err)
	}
	var res store.ApplyResult
	err = s.pool.inTx(ctx, func(tx pgx.Tx) error {
		if key != "" {
			prev, found, err := pgClaimKey(ctx, tx, key, sqlcore.KindApply)
			if err != nil {
				return err
			}
			if found {
				if err := json.Unmarshal(prev, &res); err != nil {
					return fmt.Errorf("key %q: %w", key, err)
				}
				res.Replayed = true
				return nil
			}
		}
		if res, err = pgWriteMappings(ctx, tx, rows); err != nil {
			return err
		}
		if key != "" {
			return pgSaveKey(ctx, tx, key, res)
		}
		return nil
	})
	if err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: apply mappings: %w", err)
	}
	if !res.Replayed {
		s.stats.grew("mappings", int64(res.Inserted))
	}
	return res, nil
}

// pgWriteMappings writes prepared rows inside tx (ApplyMappings,
// UpdateJobRows).
func pgWriteMappings(ctx context.Context, tx pgx.Tx, rows []store.Mapping) (res store.ApplyResult, err error) {
	if len(rows) > 0 {
		// ON COMMIT DROP: the staging table never outlives the
		// transaction, whichever way it ends.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE mappings_in (LIKE mappings INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return res, fmt.Errorf("stage: %w", err)
		}
		args := make([]any, 0, sqlcore.MappingInsertWidth)
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"mappings_in"}, strings.Split(sqlcore.MappingInsertCols, ", "),
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				args = sqlcore.AppendMappingArgs(args[:0], &rows[i], pgTime)
				return args, nil
			}))
		if err != nil {
			return res, fmt.Errorf("copy: %w", err)
		}
		if err := tx.QueryRow(ctx, pgMergeMappings).Scan(&res.Inserted, &res.Updated); err != nil {
			return res, fmt.Errorf("merge: %w", err)
		}
	}
	res.Unchanged = len(rows) - res.Inserted - res.Updated
	return res, nil
}

// GetMapping reads one mapping.
func (s *pgStore) GetMapping(ctx context.Context, connectionID, slackUserID string) (store.Mapping, bool, error) {
	var m store.Mapping
	err := s.pool.with(ctx, func(c *pgx.Conn) (err error) {
		m, err = scanPGMapping(c.QueryRow(ctx, `SELECT `+sqlcore.MappingCols+` FROM mappings
			WHERE connection_id = $1 AND slack_user_id = $2`, connectionID, slackUserID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Mapping{}, false, nil
	}
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: get mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	return m, true, nil
}

// FindBySalesforceUser reads the live mapping holding a Salesforce user,
// through the partial index mappings_sf_user.
func (s *pgStore) FindBySalesforceUser(ctx context.Context, connectionID, salesforceUserID string) (store.Mapping, bool, error) {
	var m store.Mapping
	err := s.pool.with(ctx, func(c *pgx.Conn) (err error) {
		m, err = scanPGMapping(c.QueryRow(ctx, `SELECT `+sqlcore.MappingCols+` FROM mappings
			WHERE connection_id = $1 AND salesforce_user_id = $2 AND state IN ('invited', 'linked')
			ORDER BY updated_at DESC, slack_user_id LIMIT 1`, connectionID, salesforceUserID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Mapping{}, false, nil
	}
	if err != nil {
		return store.Mapping{}, false, fmt.Errorf("store: find mapping of Salesforce user %s in %s: %w", salesforceUserID, connectionID, err)
	}
	return m, true, nil
}

// ListMappings reads keyset pages (slack_user_id > the last one seen) and
// hands each page to fn once it is read, so no connection is held while fn
// runs.
func (s *pgStore) ListMappings(ctx context.Context, connectionID string, states []store.MappingState, fn func(store.Mapping) error) error {
	filter, fargs, err := sqlcore.StateFilter(states, func(i int) string { return fmt.Sprintf("$%d", 3+i) })
	if err != nil {
		return fmt.Errorf("store: list mappings: %w", err)
	}
	query := `SELECT ` + sqlcore.MappingCols + ` FROM mappings WHERE connection_id = $1 AND slack_user_id > $2` + filter +
		fmt.Sprintf(` ORDER BY slack_user_id LIMIT $%d`, 3+len(fargs))
	page := make([]store.Mapping, 0, sqlcore.ListPageSize)
	after := ""
	for {
		page = page[:0]
		args := append(append([]any{connectionID, after}, fargs...), sqlcore.ListPageSize)
		err := s.pool.with(ctx, func(c *pgx.Conn) error {
			rows, err := c.Query(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				m, err := scanPGMapping(rows)
				if err != nil {
					return err
				}
				page = append(page, m)
			}
			return rows.Err()
		})
		if err != nil {
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

// CountMappings counts by state.
func (s *pgStore) CountMappings(ctx context.Context, connectionID string) (map[store.MappingState]int, error) {
	out := sqlcore.StateCounts()
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT state, count(*) FROM mappings WHERE connection_id = $1 GROUP BY state`, connectionID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[store.MappingState(st)] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: count mappings of %s: %w", connectionID, err)
	}
	return out, nil
}

// pgSearchMappingsSQL takes $1 connection, $2 lo, $3 hi, $4 limit, and $5
// and $6, the bounds of the upper-cased query (Slack ids are upper case):
// one index range per searched column, the Slack name and email the
// member's in the directory copy (the connection's workspace), the hits
// sorted by name and cut to the limit before the rows are read.
var pgSearchMappingsSQL = func() string {
	const ws = `(SELECT workspace FROM mappings WHERE connection_id = $1 LIMIT 1)`
	var branches []string
	for _, c := range sqlcore.MemberColsOfMappings {
		branches = append(branches, `SELECT m.slack_name_lc, m.slack_user_id FROM members x
			JOIN mappings m ON m.connection_id = $1 AND m.slack_user_id = x.user_id
			WHERE x.workspace = `+ws+` AND NOT x.deleted AND x.`+c+` >= $2 AND x.`+c+` < $3`)
	}
	branches = append(branches, `SELECT m.slack_name_lc, m.slack_user_id FROM member_words w
			JOIN mappings m ON m.connection_id = $1 AND m.slack_user_id = w.user_id
			WHERE w.workspace = `+ws+` AND w.word >= $2 AND w.word < $3`,
		`SELECT slack_name_lc, slack_user_id FROM mappings WHERE connection_id = $1 AND slack_user_id >= $5 AND slack_user_id < $6`)
	for _, c := range sqlcore.SearchedMappingCols {
		branches = append(branches, `SELECT slack_name_lc, slack_user_id FROM mappings WHERE connection_id = $1 AND `+
			c+` >= $2 AND `+c+` < $3`+sqlcore.SearchBranchCond[c])
	}
	return `WITH hits AS (` + strings.Join(branches, " UNION ") + `),
	top AS (SELECT slack_name_lc, slack_user_id FROM hits ORDER BY slack_name_lc, slack_user_id LIMIT $4)
	SELECT ` + sqlcore.PrefixCols("m", sqlcore.MappingCols) + ` FROM top JOIN mappings m
		ON m.connection_id = $1 AND m.slack_user_id = top.slack_user_id
	ORDER BY top.slack_name_lc, top.slack_user_id`
}()

// SearchMappings finds mappings by prefix (see the Store interface).
func (s *pgStore) SearchMappings(ctx context.Context, connectionID, query string, limit int) ([]store.Mapping, error) {
	q, n := sqlcore.Fold(query), sqlcore.SearchLimit(limit)
	sql, args := `SELECT `+sqlcore.MappingCols+` FROM mappings WHERE connection_id = $1
		ORDER BY slack_user_id LIMIT $2`, []any{connectionID, n}
	if q != "" {
		lo, hi := sqlcore.PrefixRange(q)
		idLo, idHi := sqlcore.PrefixRange(strings.ToUpper(q))
		sql, args = pgSearchMappingsSQL, []any{connectionID, lo, hi, n, idLo, idHi}
	}
	out := []store.Mapping{}
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (store.Mapping, error) { return scanPGMapping(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: search mappings of %s: %w", connectionID, err)
	}
	return out, nil
}

// ClearMapping clears a live mapping, recording key in the same
// transaction.
func (s *pgStore) ClearMapping(ctx context.Context, key, connectionID, slackUserID, by string, at time.Time) (bool, error) {
	at = sqlcore.UTCMicro(at)
	if at.IsZero() {
		at = sqlcore.UTCMicro(time.Now())
	}
	var cleared bool
	err := s.pool.inTx(ctx, func(tx pgx.Tx) error {
		if key != "" {
			prev, found, err := pgClaimKey(ctx, tx, key, sqlcore.KindClear)
			if err != nil {
				return err
			}
			if found {
				var r sqlcore.ClearResult
				if err := json.Unmarshal(prev, &r); err != nil {
					return fmt.Errorf("key %q: %w", key, err)
				}
				cleared = r.Cleared
				return nil
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE mappings SET state = 'cleared', invite_expires_at = NULL,
				updated_at = $1, updated_by = $2, revision = revision + 1
			WHERE connection_id = $3 AND slack_user_id = $4 AND state IN ('invited', 'linked')`,
			at, by, connectionID, slackUserID)
		if err != nil {
			return err
		}
		cleared = tag.RowsAffected() > 0
		if key != "" {
			return pgSaveKey(ctx, tx, key, sqlcore.ClearResult{Cleared: cleared})
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: clear mapping %s/%s: %w", connectionID, slackUserID, err)
	}
	return cleared, nil
}

// ExpireInvitations clears the invitations past their expiry, through the
// partial index mappings_invite_expiry.
func (s *pgStore) ExpireInvitations(ctx context.Context, connectionID string, now time.Time) (int, error) {
	now = sqlcore.UTCMicro(now)
	var n int64
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		tag, err := c.Exec(ctx, `UPDATE mappings SET state = 'cleared', invite_expires_at = NULL,
				updated_at = $1, updated_by = $2, revision = revision + 1
			WHERE connection_id = $3 AND state = 'invited' AND invite_expires_at <= $1`,
			now, store.ExpiredBy, connectionID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expire invitations of %s: %w", connectionID, err)
	}
	return int(n), nil
}
