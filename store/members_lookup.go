package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// GetMembers reads the members of a workspace with these user ids (deleted
// ones included, so that a caller can say "deleted"); absent ids are absent
// from the map.
func (s *sqliteStore) GetMembers(ctx context.Context, workspace string, userIDs []string) (map[string]Member, error) {
	return s.lookupMembers(ctx, "user_id", workspace, userIDs, func(m Member) string { return m.UserID })
}

// GetMembersByEmail reads the live members of a workspace with these emails
// (compared case-insensitively), by lower-cased email; an email shared by
// several members maps to all of them.
func (s *sqliteStore) GetMembersByEmail(ctx context.Context, workspace string, emails []string) (map[string][]Member, error) {
	out := map[string][]Member{}
	lc := lowerAll(emails)
	for start := 0; start < len(lc); start += getManyChunk {
		chunk := lc[start:min(start+getManyChunk, len(lc))]
		rows, err := s.r.QueryContext(ctx, "SELECT "+memberCols+" FROM members INDEXED BY members_search_email WHERE workspace = ? AND deleted = 0 AND email_lc IN (?"+
			strings.Repeat(", ?", len(chunk)-1)+")", append([]any{workspace}, toAny(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
		}
		for rows.Next() {
			m, err := scanSQLiteMember(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
			}
			k := strings.ToLower(strings.TrimSpace(m.Email))
			out[k] = append(out[k], m)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
		}
	}
	return out, nil
}

func (s *sqliteStore) lookupMembers(ctx context.Context, col, workspace string, keys []string, key func(Member) string) (map[string]Member, error) {
	out := make(map[string]Member, len(keys))
	for start := 0; start < len(keys); start += getManyChunk {
		chunk := keys[start:min(start+getManyChunk, len(keys))]
		rows, err := s.r.QueryContext(ctx, "SELECT "+memberCols+" FROM members WHERE workspace = ? AND "+col+" IN (?"+
			strings.Repeat(", ?", len(chunk)-1)+")", append([]any{workspace}, toAny(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
		}
		for rows.Next() {
			m, err := scanSQLiteMember(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
			}
			out[key(m)] = m
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
		}
	}
	return out, nil
}

// GetMembers reads the members of a workspace with these user ids.
func (s *pgStore) GetMembers(ctx context.Context, workspace string, userIDs []string) (map[string]Member, error) {
	out := make(map[string]Member, len(userIDs))
	err := s.pgMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace = $1 AND user_id = ANY($2)`, workspace, userIDs, func(m Member) {
		out[m.UserID] = m
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
	}
	return out, nil
}

// GetMembersByEmail reads the live members of a workspace with these emails.
func (s *pgStore) GetMembersByEmail(ctx context.Context, workspace string, emails []string) (map[string][]Member, error) {
	out := map[string][]Member{}
	err := s.pgMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace = $1 AND NOT deleted AND email_lc = ANY($2)`, workspace, lowerAll(emails), func(m Member) {
		k := strings.ToLower(strings.TrimSpace(m.Email))
		out[k] = append(out[k], m)
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
	}
	return out, nil
}

func (s *pgStore) pgMembers(ctx context.Context, sql, workspace string, keys []string, fn func(Member)) error {
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		for start := 0; start < len(keys); start += getManyChunk * 10 {
			chunk := keys[start:min(start+getManyChunk*10, len(keys))]
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

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
