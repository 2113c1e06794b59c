package engines_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/sfconnect/sfconnect/store/engines"

	"github.com/sfconnect/sfconnect/store"
)

// BenchmarkGetMembers measures what a bulk job's validation costs the
// directory copy: reading members by id, 10,000 a call (a batch), from a
// copy of 200,000 members.
//
//	go test ./store -run '^$' -bench GetMembers
func BenchmarkGetMembers(b *testing.B) {
	const n, batch = 200_000, 10_000
	ctx := context.Background()
	s, err := store.MigrateAndOpen(ctx, "sqlite:"+filepath.Join(b.TempDir(), "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, n)
	ms := make([]store.Member, 0, batch)
	for lo := 0; lo < n; lo += batch {
		ms = ms[:0]
		for i := lo; i < lo+batch; i++ {
			ids[i] = fmt.Sprintf("U%09d", i)
			handle := fmt.Sprintf("member.%d", i)
			ms = append(ms, store.Member{UserID: ids[i], Name: handle, RealName: fmt.Sprintf("Member %d", i),
				Email: handle + "@example.com", SAMLNameID: handle})
		}
		if err := s.UpsertMembers(ctx, "T0BENCH001", ms); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		for lo := 0; lo < n; lo += batch {
			got, err := s.GetMembers(ctx, "T0BENCH001", ids[lo:lo+batch])
			if err != nil || len(got) != batch {
				b.Fatalf("%d members, %v", len(got), err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "members/s")
}
