package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sfconnect/sfconnect/store"
)

// SQLite numbers connections: mappings are keyed by (conn, slack_user_id),
// conn a small integer of the connections table, rather than by the
// connection's id, a text of some 45 bytes that every mapping repeated in
// its primary key and in each of its indexes. A bulk job's new mappings
// write about a third fewer bytes for it (store/internal/sqlcore/indexes.go). A number is
// given at a connection's first mapping write and never changes; 0 is no
// connection's, so a connection without mappings reads as empty.
//
// The store keeps the numbers it has seen committed in memory: a number,
// once given, is the connection's for good.

// connNum is the number of connectionID, 0 when it has none yet.
func (s *sqliteStore) connNum(ctx context.Context, connectionID string) (int64, error) {
	if num, ok := s.conns.Load(connectionID); ok {
		return num.(int64), nil
	}
	var num int64
	err := s.r.QueryRowContext(ctx, `SELECT num FROM connections WHERE id = ?`, connectionID).Scan(&num)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("connection %s: %w", connectionID, err)
	}
	s.conns.Store(connectionID, num)
	return num, nil
}

// connNums gives every connection of rows its number, numbering in one
// short transaction of its own those that have none: a number given to a
// connection whose write then fails is unused, not wrong.
func (s *sqliteStore) connNums(ctx context.Context, rows []store.Mapping) (map[string]int64, error) {
	nums := map[string]int64{}
	var missing []string
	for i := range rows {
		id := rows[i].ConnectionID
		if _, seen := nums[id]; seen {
			continue
		}
		num, err := s.connNum(ctx, id)
		if err != nil {
			return nil, err
		}
		nums[id] = num
		if num == 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nums, nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, id := range missing {
		// DO UPDATE rather than DO NOTHING, so that RETURNING gives the
		// number another process may have given meanwhile.
		var num int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO connections (id) VALUES (?)
			ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING num`, id).Scan(&num); err != nil {
			return nil, fmt.Errorf("number connection %s: %w", id, err)
		}
		nums[id] = num
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("number connections: %w", err)
	}
	for _, id := range missing {
		s.conns.Store(id, nums[id])
	}
	return nums, nil
}
