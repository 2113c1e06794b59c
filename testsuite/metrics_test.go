package testsuite

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The worker serves Prometheus metrics: the SDK's and the product's (rows
// processed, upstream failures, connections by state).
func TestMetrics(t *testing.T) {
	if env.MetricsURL == "" {
		t.Fatal("the test environment serves no metrics")
	}
	// Some work to count, whatever ran before.
	connectAcmeMapped(t, 30*time.Second)
	defer mustRun(t, "connect", "disconnect", "--workspace", "T0DEMO0001", "--org", "acme", "--as", "U0OWNER01", "--yes")
	eventually(t, 30*time.Second, func() error {
		resp, err := http.Get(env.MetricsURL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, want := range []string{
			"temporal_request", // the SDK's, through the handler
			"temporal_activity_execution_latency_seconds_bucket",
			`sfconnect_rows_processed_total{phase="automap"}`,
			`sfconnect_connections{state="active"}`,
			"go_goroutines",
		} {
			if !strings.Contains(string(body), want) {
				return fmt.Errorf("no %s in the metrics", want)
			}
		}
		return nil
	})
}
