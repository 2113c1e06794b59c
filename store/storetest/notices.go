package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/sfconnect/sfconnect/store"
)

// testNotices: a notice is unknown until recorded, pending once claimed,
// then known with its timestamp; a second timestamp keeps the first; a key of another kind of
// write is refused.
func testNotices(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ctx := context.Background()
	if _, found, err := s.NoticeSent(ctx, "wf/approve/U1/0"); err != nil || found {
		t.Fatalf("unrecorded notice: found %v, %v", found, err)
	}
	// Claimed before the post: pending, then completed.
	if err := s.RecordNotice(ctx, "wf/approve/U1/0", ""); err != nil {
		t.Fatal(err)
	}
	if ts, found, err := s.NoticeSent(ctx, "wf/approve/U1/0"); err != nil || !found || ts != "" {
		t.Fatalf("pending notice: %q %v %v", ts, found, err)
	}
	if err := s.RecordNotice(ctx, "wf/approve/U1/0", "1.000001"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordNotice(ctx, "wf/approve/U1/0", "2.000002"); err != nil {
		t.Fatal(err)
	}
	if ts, found, err := s.NoticeSent(ctx, "wf/approve/U1/0"); err != nil || !found || ts != "1.000001" {
		t.Fatalf("recorded notice: %q %v %v", ts, found, err)
	}
	apply(t, s, "apply-key", []store.Mapping{mapping("c1", "U1")})
	if _, _, err := s.NoticeSent(ctx, "apply-key"); !errors.Is(err, store.ErrKeyReused) {
		t.Fatalf("a mapping write's key read as a notice: %v", err)
	}
}
