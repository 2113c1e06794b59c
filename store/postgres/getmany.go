package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// GetMappings reads the mappings of many members of a connection at once,
// in one round trip per chunk (= ANY of an array).
func (s *pgStore) GetMappings(ctx context.Context, connectionID string, slackUserIDs []string) (map[string]store.Mapping, error) {
	out := make(map[string]store.Mapping, len(slackUserIDs))
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		for start := 0; start < len(slackUserIDs); start += sqlcore.GetManyChunk * 10 {
			chunk := slackUserIDs[start:min(start+sqlcore.GetManyChunk*10, len(slackUserIDs))]
			rows, err := c.Query(ctx, `SELECT `+sqlcore.MappingCols+` FROM mappings
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
// the live mapping holding each in a connection.
func (s *pgStore) GetLiveMappingsBySalesforceUsers(ctx context.Context, connectionID string, salesforceUserIDs []string) (map[string]store.Mapping, error) {
	out := make(map[string]store.Mapping, len(salesforceUserIDs))
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+sqlcore.MappingCols+` FROM mappings
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
