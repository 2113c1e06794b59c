package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// GetMembers reads the members of a workspace with these user ids (deleted
// ones included, so that a caller can say "deleted"); absent ids are absent
// from the map.
func (s *sqliteStore) GetMembers(ctx context.Context, workspace string, userIDs []string) (map[string]store.Member, error) {
	out := make(map[string]store.Member, len(userIDs))
	if err := s.lookupMembers(ctx, "members", "user_id", workspace, userIDs, func(m store.Member) { out[m.UserID] = m }); err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", workspace, err)
	}
	return out, nil
}

// GetMembersByEmail reads the live members of a workspace with these emails
// (compared case-insensitively), by lower-cased email; an email shared by
// several members maps to all of them.
func (s *sqliteStore) GetMembersByEmail(ctx context.Context, workspace string, emails []string) (map[string][]store.Member, error) {
	out := map[string][]store.Member{}
	err := s.lookupMembers(ctx, "members INDEXED BY members_search_email", "deleted = 0 AND email_lc", workspace, sqlcore.LowerAll(emails), func(m store.Member) {
		k := sqlcore.Fold(m.Email)
		out[k] = append(out[k], m)
	})
	if err != nil {
		return nil, fmt.Errorf("store: members of %s by email: %w", workspace, err)
	}
	return out, nil
}

// sqlitePackedMember renders a member packed (packed.go): a bulk
// job's validation reads a million of them.
var sqlitePackedMember = sqlitePack([]string{"deleted", "updated_at"},
	[]string{"user_id", "name", "real_name", "email", "saml_name_id"})

// lookupMembers reads the members of workspace from table that match, a
// condition ending in the key column ("… AND email_lc"), one of keys,
// sqlcore.GetManyChunk keys a query, and hands each to found.
func (s *sqliteStore) lookupMembers(ctx context.Context, table, match, workspace string, keys []string, found func(store.Member)) error {
	var nums [2]int64
	var texts [5]string
	for start := 0; start < len(keys); start += sqlcore.GetManyChunk {
		chunk := keys[start:min(start+sqlcore.GetManyChunk, len(keys))]
		rows, err := s.sqliteInList(ctx, len(chunk), "SELECT "+sqlitePackedMember+" FROM "+table+" WHERE workspace = ? AND "+match+" IN (?"+
			strings.Repeat(", ?", len(chunk)-1)+")", append([]any{workspace}, sqlcore.ToAny(chunk)...)...)
		if err != nil {
			return err
		}
		var p string
		for rows.Next() {
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			if err := sqliteUnpack(p, nums[:], texts[:]); err != nil {
				rows.Close()
				return err
			}
			m := store.Member{Workspace: workspace, UserID: texts[0], Name: texts[1], RealName: texts[2], Email: texts[3], SAMLNameID: texts[4],
				Deleted: nums[0] != 0}
			if nums[1] != 0 {
				m.UpdatedAt = time.UnixMicro(nums[1]).UTC()
			}
			found(m)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
