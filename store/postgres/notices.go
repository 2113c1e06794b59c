package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// NoticeSent reports whether the notice of key was posted.
func (s *pgStore) NoticeSent(ctx context.Context, key string) (string, bool, error) {
	var kind string
	var result []byte
	err := s.pool.inTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT kind, result FROM applied_keys WHERE key = $1`, key).Scan(&kind, &result)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: notice %q: %w", key, err)
	}
	return sqlcore.NoticeOf(key, kind, result)
}

// RecordNotice records that the notice of key was posted as ts.
func (s *pgStore) RecordNotice(ctx context.Context, key, ts string) error {
	b, _ := json.Marshal(sqlcore.NoticeResult{TS: ts})
	err := s.pool.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (key) DO UPDATE SET result = excluded.result
			WHERE applied_keys.kind = excluded.kind AND applied_keys.result->>'ts' = ''`, key, sqlcore.KindNotice, b)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record notice %q: %w", key, err)
	}
	return nil
}
