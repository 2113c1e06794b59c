// Package metrics exports sfconnect's metrics to Prometheus: the Temporal
// SDK's own (through Handler, an SDK metrics.Handler over client_golang) and
// the product's (API calls, rate limits, rows processed, connections by
// state), on one registry served at /metrics.
package metrics

import (
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	sdkmetrics "go.temporal.io/sdk/client"
)

// Handler is the Temporal SDK's metrics.Handler writing to a Prometheus
// registry. The SDK names a metric and tags it at each use; Prometheus
// wants a metric's label names fixed, so each (name, label names) pair gets
// its own vector, made on first use.
type Handler struct {
	reg  *prometheus.Registry
	tags map[string]string
	vecs *vecs
}

// vecs caches the vectors made so far, by kind, name and label names.
type vecs struct {
	mu   sync.Mutex
	made map[string]prometheus.Collector
}

// NewHandler returns a Handler registering its metrics in reg.
func NewHandler(reg *prometheus.Registry) *Handler {
	return &Handler{reg: reg, tags: map[string]string{}, vecs: &vecs{made: map[string]prometheus.Collector{}}}
}

// WithTags returns a handler whose metrics carry these tags too.
func (h *Handler) WithTags(tags map[string]string) sdkmetrics.MetricsHandler {
	merged := maps.Clone(h.tags)
	maps.Copy(merged, tags)
	return &Handler{reg: h.reg, tags: merged, vecs: h.vecs}
}

func (h *Handler) labels() ([]string, prometheus.Labels) {
	names := slices.Sorted(maps.Keys(h.tags))
	labels := prometheus.Labels{}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = sanitize(n)
		labels[out[i]] = h.tags[n]
	}
	return out, labels
}

// vec returns the vector of a kind, name and label names, made and
// registered on first use (nil if the registry refuses it).
func vec[V prometheus.Collector](h *Handler, kind, name string, labels []string, build func() V) V {
	h.vecs.mu.Lock()
	defer h.vecs.mu.Unlock()
	k := kind + "|" + name + "|" + strings.Join(labels, ",")
	if v, ok := h.vecs.made[k]; ok {
		return v.(V)
	}
	v := build()
	if err := h.reg.Register(v); err != nil {
		var none V
		are, ok := err.(prometheus.AlreadyRegisteredError)
		if !ok {
			return none
		}
		if v, ok = are.ExistingCollector.(V); !ok {
			return none
		}
	}
	h.vecs.made[k] = v
	return v
}

// Counter obtains a counter.
func (h *Handler) Counter(name string) sdkmetrics.MetricsCounter {
	names, labels := h.labels()
	v := vec(h, "counter", name, names, func() *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: sanitize(name), Help: "Temporal SDK: " + name}, names)
	})
	if v == nil {
		return counterFunc(func(int64) {})
	}
	c := v.With(labels)
	return counterFunc(func(d int64) { c.Add(float64(d)) })
}

// Gauge obtains a gauge.
func (h *Handler) Gauge(name string) sdkmetrics.MetricsGauge {
	names, labels := h.labels()
	v := vec(h, "gauge", name, names, func() *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sanitize(name), Help: "Temporal SDK: " + name}, names)
	})
	if v == nil {
		return gaugeFunc(func(float64) {})
	}
	return gaugeFunc(v.With(labels).Set)
}

// Timer obtains a timer, as a histogram of seconds.
func (h *Handler) Timer(name string) sdkmetrics.MetricsTimer {
	names, labels := h.labels()
	v := vec(h, "timer", name, names, func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: sanitize(name) + "_seconds", Help: "Temporal SDK: " + name}, names)
	})
	if v == nil {
		return timerFunc(func(time.Duration) {})
	}
	o := v.With(labels)
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// sanitize makes a Prometheus name of an SDK metric or tag name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// Serve exposes the registry at /metrics on ln until the server is shut
// down; with profiling, Go's profiles too, at /debug/pprof/ (opt-in: a CPU
// profile costs the worker while it runs, and the address may be reachable
// from the network).
func Serve(ln net.Listener, reg *prometheus.Registry, profiling bool) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if profiling {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv
}

// NewRegistry is a registry with the Go runtime's and the process's own
// collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
