package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// GetMembers reads the members of a workspace with these user ids.
func (s *pgStore) GetMembers(ctx context.Context, workspace string, userIDs []string) (map[string]store.Member, error) {
	out := make(map[string]store.Member, len(userIDs))
	err := s.pgMembers(ctx, `SELECT `+sqlcore.MemberCols+` FROM members WHERE workspace = $1 AND user_id = ANY($2)`, workspace, userIDs, func(m store.Member) {
		out[m.UserID] = m
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
	}
	return out, nil
}

// GetMembersByEmail reads the live members of a workspace with these emails.
func (s *pgStore) GetMembersByEmail(ctx context.Context, workspace string, emails []string) (map[string][]store.Member, error) {
	out := map[string][]store.Member{}
	err := s.pgMembers(ctx, `SELECT `+sqlcore.MemberCols+` FROM members WHERE workspace = $1 AND NOT deleted AND email_lc = ANY($2)`, workspace, sqlcore.LowerAll(emails), func(m store.Member) {
		k := sqlcore.Fold(m.Email)
		out[k] = append(out[k], m)
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
	}
	return out, nil
}

func (s *pgStore) pgMembers(ctx context.Context, sql, workspace string, keys []string, fn func(store.Member)) error {
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		for start := 0; start < len(keys); start += sqlcore.GetManyChunk * 10 {
			chunk := keys[start:min(start+sqlcore.GetManyChunk*10, len(keys))]
			rows, err := c.Query(ctx, sql, workspace, chunk)
			if err != nil {
				return err
			}
			for rows.Next() {
				m, err := scanPGMember(rows)
				if err != nil {
					rows.Close()
					return err
				}
				fn(m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}
