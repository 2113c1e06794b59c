package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// getManyChunk bounds the ids of one IN list (SQLite's default limit on
// bound parameters is 32,766; a few hundred keep statements small).
const getManyChunk = 500

// GetMappings reads the mappings of many members of a connection at once,
// by member id; members without a mapping are absent from the map.
func (s *sqliteStore) GetMappings(ctx context.Context, connectionID string, slackUserIDs []string) (map[string]Mapping, error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
	}
	return sqliteGetMappings(ctx, s.sqliteInList, connectionID, conn, slackUserIDs)
}

// sqliteGetMappings is GetMappings through inList (the readers, or a writer's
// transaction that must see its own snapshot), conn being the number of
// connectionID.
func sqliteGetMappings(ctx context.Context, inList sqliteInLister, connectionID string, conn int64, slackUserIDs []string) (map[string]Mapping, error) {
	out := make(map[string]Mapping, len(slackUserIDs))
	for start := 0; start < len(slackUserIDs); start += getManyChunk {
		chunk := slackUserIDs[start:min(start+getManyChunk, len(slackUserIDs))]
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

// GetMappings reads the mappings of many members of a connection at once,
// in one round trip per chunk (= ANY of an array).
func (s *pgStore) GetMappings(ctx context.Context, connectionID string, slackUserIDs []string) (map[string]Mapping, error) {
	out := make(map[string]Mapping, len(slackUserIDs))
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		for start := 0; start < len(slackUserIDs); start += getManyChunk * 10 {
			chunk := slackUserIDs[start:min(start+getManyChunk*10, len(slackUserIDs))]
			rows, err := c.Query(ctx, `SELECT `+mappingCols+` FROM mappings
				WHERE connection_id = $1 AND slack_user_id = ANY($2)`, connectionID, chunk)
			if err != nil {
				return err
			}
			for rows.Next() {
				m, err := scanPGMapping(rows)
				if err != nil {
					rows.Close()
					return err
				}
				out[m.SlackUserID] = m
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: get mappings of %s: %w", connectionID, err)
	}
	return out, nil
}

// GetLiveMappingsBySalesforceUsers reads, for many Salesforce users at once,
// the live (invited or linked) mapping holding each in a connection (the
// most recently updated one, as FindBySalesforceUser).
func (s *sqliteStore) GetLiveMappingsBySalesforceUsers(ctx context.Context, connectionID string, salesforceUserIDs []string) (map[string]Mapping, error) {
	out := make(map[string]Mapping, len(salesforceUserIDs))
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
	}
	for start := 0; start < len(salesforceUserIDs); start += getManyChunk {
		chunk := salesforceUserIDs[start:min(start+getManyChunk, len(salesforceUserIDs))]
		args := append([]any{conn}, toAny(chunk)...)
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

// GetLiveMappingsBySalesforceUsers reads, for many Salesforce users at once,
// the live mapping holding each in a connection.
func (s *pgStore) GetLiveMappingsBySalesforceUsers(ctx context.Context, connectionID string, salesforceUserIDs []string) (map[string]Mapping, error) {
	out := make(map[string]Mapping, len(salesforceUserIDs))
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+mappingCols+` FROM mappings
			WHERE connection_id = $1 AND salesforce_user_id = ANY($2) AND state IN ('invited', 'linked')
			ORDER BY updated_at`, connectionID, salesforceUserIDs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanPGMapping(rows)
			if err != nil {
				return err
			}
			out[m.SalesforceUserID] = m
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: mappings of Salesforce users in %s: %w", connectionID, err)
	}
	return out, nil
}
