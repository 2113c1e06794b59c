package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Product holds sfconnect's own metrics. A nil *Product records nothing, so
// code under test needs none.
type Product struct {
	upstream    *prometheus.CounterVec
	rows        *prometheus.CounterVec
	connections *prometheus.GaugeVec
}

// NewProduct registers the product's metrics in reg.
func NewProduct(reg *prometheus.Registry) *Product {
	p := &Product{
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sfconnect_upstream_errors_total",
			Help: "Slack and Salesforce calls that failed, by API and kind (rate_limited: a 429 whose Retry-After the next retry waits; retryable: 5xx and network errors; refused: errors no retry heals).",
		}, []string{"api", "kind"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sfconnect_rows_processed_total",
			Help: "Members and CSV rows processed, by phase (automap, validate, apply).",
		}, []string{"phase"}),
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sfconnect_connections",
			Help: "Running connections by state, from Temporal's visibility.",
		}, []string{"state"}),
	}
	reg.MustRegister(p.upstream, p.rows, p.connections)
	return p
}

// UpstreamError counts a failed Slack or Salesforce call.
func (p *Product) UpstreamError(api, kind string) {
	if p != nil {
		p.upstream.WithLabelValues(api, kind).Inc()
	}
}

// RowsProcessed counts rows (or members) a phase went through.
func (p *Product) RowsProcessed(phase string, n int) {
	if p != nil && n > 0 {
		p.rows.WithLabelValues(phase).Add(float64(n))
	}
}

// WatchConnections counts running connections by state every period, from
// visibility, until ctx ends.
func (p *Product) WatchConnections(ctx context.Context, c client.Client, workflowType string, stateAttribute string, states []string, period time.Duration) {
	if p == nil {
		return
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		for _, s := range states {
			resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
				Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'", workflowType, stateAttribute, s),
			})
			if err == nil {
				p.connections.WithLabelValues(s).Set(float64(resp.GetCount()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
