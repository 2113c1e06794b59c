package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notices share applied_keys with the keyed writes (kind "notice"): a key
// is a notice's identity (workflow, kind, recipient, sequence), its result
// the posted message's timestamp, or "" while a post is pending: claimed
// before the post, so that a retry knows to look in Slack first.

// noticeResult is a notice's record.
type noticeResult struct {
	TS string `json:"ts"`
}

// NoticeSent reports whether the notice of key was posted.
func (s *sqliteStore) NoticeSent(ctx context.Context, key string) (string, bool, error) {
	var kind, result string
	err := s.r.QueryRowContext(ctx, `SELECT kind, result FROM applied_keys WHERE key = ?`, key).Scan(&kind, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: notice %q: %w", key, err)
	}
	return noticeOf(key, kind, []byte(result))
}

// RecordNotice records that the notice of key was posted as ts.
func (s *sqliteStore) RecordNotice(ctx context.Context, key, ts string) error {
	b, _ := json.Marshal(noticeResult{TS: ts})
	if _, err := s.w.ExecContext(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET result = excluded.result
		WHERE applied_keys.kind = excluded.kind AND json_extract(applied_keys.result, '$.ts') = '' AND excluded.result <> applied_keys.result`,
		key, kindNotice, string(b), time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("store: record notice %q: %w", key, err)
	}
	return nil
}

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
	return noticeOf(key, kind, result)
}

// RecordNotice records that the notice of key was posted as ts.
func (s *pgStore) RecordNotice(ctx context.Context, key, ts string) error {
	b, _ := json.Marshal(noticeResult{TS: ts})
	err := s.pool.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (key) DO UPDATE SET result = excluded.result
			WHERE applied_keys.kind = excluded.kind AND applied_keys.result->>'ts' = ''`, key, kindNotice, b)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record notice %q: %w", key, err)
	}
	return nil
}

func noticeOf(key, kind string, result []byte) (string, bool, error) {
	if kind != kindNotice {
		return "", false, fmt.Errorf("store: notice %q: %w (%s)", key, ErrKeyReused, kind)
	}
	var r noticeResult
	if err := json.Unmarshal(result, &r); err != nil {
		return "", false, fmt.Errorf("store: notice %q: %w", key, err)
	}
	return r.TS, true, nil
}
