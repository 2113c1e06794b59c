package metrics_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/metrics"
)

// Go's profiles are served beside the metrics only when asked for.
func TestServeProfilesOnlyWhenAsked(t *testing.T) {
	for _, profiling := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := metrics.Serve(ln, metrics.NewRegistry(), profiling)
		get := func(path string) (int, string) {
			resp, err := http.Get("http://" + ln.Addr().String() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if code, body := get("/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
			t.Errorf("profiling %v: /metrics answered %d", profiling, code)
		}
		code, body := get("/debug/pprof/")
		if profiling && (code != http.StatusOK || !strings.Contains(body, "heap")) {
			t.Errorf("profiling on: /debug/pprof/ answered %d", code)
		}
		if !profiling && code != http.StatusNotFound {
			t.Errorf("profiling off: /debug/pprof/ answered %d, want 404", code)
		}
		srv.Close()
	}
}
