package sharedstore

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"
)

// metrics count the store's calls and show its breaker's state.
type metrics struct {
	calls *prometheus.CounterVec
}

// newMetrics registers the store's metrics with reg.
func newMetrics(reg prometheus.Registerer, breaker *gobreaker.CircuitBreaker[any]) (*metrics, error) {
	m := &metrics{calls: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_redis_calls_total",
		Help: "Calls to the shared store (Redis) by op (get, set, incr, get_many, set_many, allow, ping; a get_many or set_many is one call for all its keys) and outcome (ok, miss, timeout, error, breaker_open).",
	}, []string{"op", "outcome"})}
	// Every series from the start, at zero: an alert on the share of
	// failed calls (deploy/prometheus) is defined before the first failure.
	for _, op := range []string{"get", "set", "incr", "get_many", "set_many", "allow", "ping"} {
		for _, outcome := range []string{"ok", "miss", "timeout", "error", "breaker_open"} {
			m.calls.WithLabelValues(op, outcome)
		}
	}
	collectors := []prometheus.Collector{m.calls}
	for _, st := range []gobreaker.State{gobreaker.StateClosed, gobreaker.StateHalfOpen, gobreaker.StateOpen} {
		collectors = append(collectors, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "gateway_redis_breaker_state",
			Help:        "1 for the current state (closed, half-open, open) of the shared store's circuit breaker.",
			ConstLabels: prometheus.Labels{"state": st.String()},
		}, func() float64 {
			if breaker.State() == st {
				return 1
			}
			return 0
		}))
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe counts a call; a nil m counts nothing.
func (m *metrics) observe(op, outcome string) {
	if m != nil {
		m.calls.WithLabelValues(op, outcome).Inc()
	}
}
