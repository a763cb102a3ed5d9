package observability

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/resilience"
)

// sample returns the value of a counter, or the sample count of a
// histogram, of the series of metric with exactly labels; -1 when there
// is none.
func sample(tb testing.TB, reg *prometheus.Registry, metric string, labels map[string]string) float64 {
	tb.Helper()
	families, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != metric {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

// What each observation counts, under which labels.
func TestMetricsLabels(t *testing.T) {
	tests := []struct {
		name   string
		record func(m *Metrics)
		metric string
		labels map[string]string
		want   float64
	}{
		{"a named operation", func(m *Metrics) { m.observeRequest("Dashboard", true, 200, time.Millisecond) },
			"gateway_requests_total", map[string]string{"operation": "Dashboard", "status": "200"}, 1},
		{"its duration", func(m *Metrics) { m.observeRequest("Dashboard", true, 200, time.Millisecond) },
			"gateway_request_duration_seconds", map[string]string{"operation": "Dashboard"}, 1},
		{"an anonymous operation", func(m *Metrics) { m.observeRequest("", true, 200, time.Millisecond) },
			"gateway_requests_total", map[string]string{"operation": "anonymous", "status": "200"}, 1},
		{"a request refused before its operation", func(m *Metrics) { m.observeRequest("Dashboard", false, 413, time.Millisecond) },
			"gateway_requests_total", map[string]string{"operation": "none", "status": "413"}, 1},
		{"a name that is no GraphQL name", func(m *Metrics) { m.observeRequest("a b", true, 200, time.Millisecond) },
			"gateway_requests_total", map[string]string{"operation": "other", "status": "200"}, 1},
		{"requests add up", func(m *Metrics) {
			for range 3 {
				m.observeRequest("Dashboard", true, 200, time.Millisecond)
			}
		}, "gateway_requests_total", map[string]string{"operation": "Dashboard", "status": "200"}, 3},
		{"an upstream error", func(m *Metrics) { m.observeError("UPSTREAM_ERROR", "orders") },
			"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_ERROR", "service": "orders"}, 1},
		{"an error of no service", func(m *Metrics) { m.observeError("BAD_USER_INPUT", "") },
			"gateway_graphql_errors_total", map[string]string{"code": "BAD_USER_INPUT", "service": "none"}, 1},
		{"a downstream attempt", func(m *Metrics) { m.Attempt(context.Background(), "wallet", "ok", time.Millisecond) },
			"gateway_downstream_call_duration_seconds", map[string]string{"service": "wallet", "outcome": "ok"}, 1},
		{"a resilience decision", func(m *Metrics) { m.Decision(context.Background(), "orders", resilience.Retried) },
			"gateway_resilience_decisions_total", map[string]string{"service": "orders", "decision": string(resilience.Retried)}, 1},
		{"a decision not yet taken", func(m *Metrics) {},
			"gateway_resilience_decisions_total", map[string]string{"service": "shipping", "decision": string(resilience.HedgeWon)}, 0},
		{"another decision not yet taken", func(m *Metrics) {},
			"gateway_resilience_decisions_total", map[string]string{"service": "profile", "decision": string(resilience.Busy)}, 0},
		{"a stale answer served", func(m *Metrics) { m.Lookup("orders", cache.OutcomeStale) },
			"gateway_cache_lookups_total", map[string]string{"service": "orders", "outcome": "stale"}, 1},
		{"a cache outcome not yet seen", func(m *Metrics) {},
			"gateway_cache_lookups_total", map[string]string{"service": "wallet", "outcome": "miss"}, 0},
		{"a service of no client", func(m *Metrics) { m.Lookup("other", cache.OutcomeMiss) },
			"gateway_cache_lookups_total", map[string]string{"service": "other", "outcome": "miss"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := NewMetrics(reg)
			tt.record(m)
			if got := sample(t, reg, tt.metric, tt.labels); got != tt.want {
				t.Errorf("%s%v: got %v; want %v", tt.metric, tt.labels, got, tt.want)
			}
		})
	}
}

// A cache lookup is on the request's path: counting it allocates nothing.
func TestCacheLookupAllocs(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	if n := testing.AllocsPerRun(100, func() { m.Lookup("orders", cache.OutcomeFresh) }); n != 0 {
		t.Errorf("Lookup: got %v allocations; want 0", n)
	}
}
