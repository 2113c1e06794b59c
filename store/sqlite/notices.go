package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// Notices share applied_keys with the keyed writes (kind "notice"): a key
// is a notice's identity (workflow, kind, recipient, sequence), its result
// the posted message's timestamp, or "" while a post is pending: claimed
// before the post, so that a retry knows to look in Slack first.

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
	return sqlcore.NoticeOf(key, kind, []byte(result))
}

// RecordNotice records that the notice of key was posted as ts.
func (s *sqliteStore) RecordNotice(ctx context.Context, key, ts string) error {
	b, _ := json.Marshal(sqlcore.NoticeResult{TS: ts})
	if _, err := s.w.ExecContext(ctx, `INSERT INTO applied_keys (key, kind, result, applied_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET result = excluded.result
		WHERE applied_keys.kind = excluded.kind AND json_extract(applied_keys.result, '$.ts') = '' AND excluded.result <> applied_keys.result`,
		key, sqlcore.KindNotice, string(b), time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("store: record notice %q: %w", key, err)
	}
	return nil
}
