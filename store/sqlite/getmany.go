package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// GetMappings reads the mappings of many members of a connection at once,
// by member id; members without a mapping are absent from the map.
func (s *sqliteStore) GetMappings(ctx context.Context, connectionID string, slackUserIDs []string) (map[string]store.Mapping, error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
	}
	return sqliteGetMappings(ctx, s.sqliteInList, connectionID, conn, slackUserIDs)
}

// sqliteGetMappings is GetMappings through inList (the readers, or a writer's
// transaction that must see its own snapshot), conn being the number of
// connectionID.
func sqliteGetMappings(ctx context.Context, inList sqliteInLister, connectionID string, conn int64, slackUserIDs []string) (map[string]store.Mapping, error) {
	out := make(map[string]store.Mapping, len(slackUserIDs))
	for start := 0; start < len(slackUserIDs); start += sqlcore.GetManyChunk {
		chunk := slackUserIDs[start:min(start+sqlcore.GetManyChunk, len(slackUserIDs))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, conn)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := inList(ctx, len(chunk), `SELECT `+sqliteMappingCols+` FROM mappings
			WHERE conn = ? AND slack_user_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
		}
		for rows.Next() {
			m, err := scanSQLiteMapping(rows, connectionID)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
			}
			out[m.SlackUserID] = m
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
		}
	}
	return out, nil
}

// GetLiveMappingsBySalesforceUsers reads, for many Salesforce users at once,
// the live (invited or linked) mapping holding each in a connection (the
// most recently updated one, as FindBySalesforceUser).
func (s *sqliteStore) GetLiveMappingsBySalesforceUsers(ctx context.Context, connectionID string, salesforceUserIDs []string) (map[string]store.Mapping, error) {
	out := make(map[string]store.Mapping, len(salesforceUserIDs))
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
	}
	for start := 0; start < len(salesforceUserIDs); start += sqlcore.GetManyChunk {
		chunk := salesforceUserIDs[start:min(start+sqlcore.GetManyChunk, len(salesforceUserIDs))]
		args := append([]any{conn}, sqlcore.ToAny(chunk)...)
		rows, err := s.sqliteInList(ctx, len(chunk), `SELECT `+sqliteMappingCols+` FROM mappings INDEXED BY mappings_sf_user
			WHERE conn = ? AND salesforce_user_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) AND state IN ('invited', 'linked')
			ORDER BY updated_at`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
		}
		for rows.Next() {
			m, err := scanSQLiteMapping(rows, connectionID)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
			}
			out[m.SalesforceUserID] = m // later (more recent) rows win
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
		}
	}
	return out, nil
}
