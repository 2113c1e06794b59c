package sqlcore

import (
	"encoding/json"
	"fmt"

	"github.com/sfconnect/sfconnect/store"
)

// NoticeResult is a notice's record.
type NoticeResult struct {
	TS string `json:"ts"`
}

func NoticeOf(key, kind string, result []byte) (string, bool, error) {
	if kind != KindNotice {
		return "", false, fmt.Errorf("store: notice %q: %w (%s)", key, store.ErrKeyReused, kind)
	}
	var r NoticeResult
	if err := json.Unmarshal(result, &r); err != nil {
		return "", false, fmt.Errorf("store: notice %q: %w", key, err)
	}
	return r.TS, true, nil
}
