package observability

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/downstream"
)

// newCacheLookups returns the counter of the response cache's lookups,
// with a series at zero for every service and outcome: a rare outcome
// (stale, error) that first appeared at 1 would be lost to increase().
func newCacheLookups() *prometheus.CounterVec {
	v := counterVec("gateway_cache_lookups_total",
		"Response cache lookups by service and outcome: fresh (served, no call made), stale (served in place of a failure), miss, not_kept (an answer over the entry cap), error (the store failed).",
		"service", "outcome")
	for _, s := range downstream.Services() {
		for _, o := range cache.Outcomes() {
			v.WithLabelValues(string(s), string(o))
		}
	}
	return v
}

// Lookup implements cache.Observer. Counting a series that exists
// allocates nothing (TestCacheLookupAllocs).
func (m *Metrics) Lookup(service string, outcome cache.Outcome) {
	m.cacheLookups.WithLabelValues(service, string(outcome)).Inc()
}
