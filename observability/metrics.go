package observability

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/resilience"
)

// Metrics are the gateway's Prometheus metrics. It is also the
// resilience.Observer that counts the layers' decisions, the
// downstream.CallObserver that times every call, and the cache.Observer
// that counts the response cache's lookups.
type Metrics struct {
	requests         *prometheus.CounterVec
	requestDuration  *prometheus.HistogramVec
	graphqlErrors    *prometheus.CounterVec
	deadlineExceeded prometheus.Counter
	calls            *prometheus.HistogramVec
	decisions        *prometheus.CounterVec
	cacheLookups     *prometheus.CounterVec
	fallbacks        *prometheus.CounterVec

	operations *operationLabels
}

// NewMetrics registers the gateway's metrics, Go runtime and process
// metrics included, with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: counterVec("gateway_requests_total",
			"GraphQL requests (POST/GET /query and the REST view) by operation name and HTTP status.",
			"operation", "status"),
		requestDuration: latencyVec("gateway_request_duration_seconds",
			"Time from a GraphQL request's arrival to its response, by operation name.",
			"operation"),
		graphqlErrors: counterVec("gateway_graphql_errors_total",
			"Errors in GraphQL responses, by extensions.code and extensions.service (\"none\" when not upstream-caused).",
			"code", "service"),
		deadlineExceeded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_deadline_exceeded_total",
			Help: "Requests answered with at least one field cut off by the request deadline.",
		}),
		calls: latencyVec("gateway_downstream_call_duration_seconds",
			"Duration of each HTTP attempt to a downstream service (retries and hedges included), by service and outcome.",
			"service", "outcome"),
		decisions:    newDecisions(),
		cacheLookups: newCacheLookups(),
		fallbacks: counterVec("gateway_fastpath_fallbacks_total",
			"Operations run on gqlgen's executor instead of the fast path, by reason: introspection, not_query, unknown_field (a field the generated fast path does not write), unknown_argument, directive, conditions.",
			"reason"),
	}
	m.operations = newOperationLabels(time.Now, func(name string) {
		m.requests.DeletePartialMatch(prometheus.Labels{"operation": name})
		m.requestDuration.DeletePartialMatch(prometheus.Labels{"operation": name})
	})
	reg.MustRegister(m.requests, m.requestDuration, m.graphqlErrors, m.deadlineExceeded, m.calls, m.decisions, m.cacheLookups, m.fallbacks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// newDecisions returns the counter of the resilience layers' decisions,
// with a series at zero for every service and decision, so that a rate or
// an alert over one is defined before its first decision.
func newDecisions() *prometheus.CounterVec {
	v := counterVec("gateway_resilience_decisions_total",
		"Decisions of the resilience layers by service: retried, retry_budget, retry_no_time, hedged, hedge_budget, hedge_won, short_circuited, shed, deduplicated, attempt_timeout, busy (a retry or hedge not sent: the gateway is overloaded).",
		"service", "decision")
	for _, s := range downstream.Services() {
		for _, d := range resilience.Decisions() {
			v.WithLabelValues(string(s), string(d))
		}
	}
	return v
}

// RegisterBuildInfo registers gateway_build_info, 1, labelled with the
// running build's version, commit and Go version, so that a dashboard can
// tell replicas of different builds apart.
func RegisterBuildInfo(reg prometheus.Registerer, version, revision, goVersion string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "gateway_build_info",
		Help:        "The running build: 1, labelled with its version, commit (revision) and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	g.Set(1)
	reg.MustRegister(g)
}

// Fallback counts an operation the fast path left to gqlgen's executor.
func (m *Metrics) Fallback(reason string) { m.fallbacks.WithLabelValues(reason).Inc() }

// ShowFallbacks makes the series of reasons exist at zero, so that a rate
// over them is defined before the first fallback.
func (m *Metrics) ShowFallbacks(reasons ...string) {
	for _, r := range reasons {
		m.fallbacks.WithLabelValues(r)
	}
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// latencyVec returns a histogram of durations in seconds, with buckets
// around the request deadline (1.5 s by default).
func latencyVec(name, help string, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    name,
		Help:    help,
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2.5, 5},
	}, labels)
}

// WatchDownstream registers the in-flight calls and breaker state of the
// downstream services with reg, read when scraped.
func WatchDownstream(reg prometheus.Registerer, c *downstream.Clients) {
	reg.MustRegister(&downstreamCollector{
		clients: c,
		inFlight: prometheus.NewDesc("gateway_downstream_in_flight",
			"Attempts to a downstream service in flight now.", []string{"service"}, nil),
		breaker: prometheus.NewDesc("gateway_breaker_state",
			"Circuit breaker state per service: 1 for the current state (closed, half-open or open), 0 for the others.",
			[]string{"service", "state"}, nil),
	})
}

// observeRequest counts one finished GraphQL request.
func (m *Metrics) observeRequest(operation string, started bool, status int, d time.Duration) {
	op := m.operations.label(operation, started)
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(op).Observe(d.Seconds())
}

// observeError counts one error of a GraphQL response.
func (m *Metrics) observeError(code, service string) {
	if service == "" {
		service = "none"
	}
	m.graphqlErrors.WithLabelValues(code, service).Inc()
}

// Attempt implements downstream.CallObserver.
func (m *Metrics) Attempt(_ context.Context, service downstream.Service, outcome string, d time.Duration) {
	m.calls.WithLabelValues(string(service), outcome).Observe(d.Seconds())
}

// Call implements downstream.CallObserver: the time a request waited on a
// service, for its Server-Timing header.
func (m *Metrics) Call(ctx context.Context, service downstream.Service, d time.Duration) {
	FromContext(ctx).AddServiceTime(string(service), d)
}

// Decision implements resilience.Observer.
func (m *Metrics) Decision(_ context.Context, service string, d resilience.Decision) {
	m.decisions.WithLabelValues(service, string(d)).Inc()
}

// BreakerChanged implements resilience.Observer; the state itself is read
// when scraped.
func (m *Metrics) BreakerChanged(string, string, string) {}

// downstreamCollector reports the services' in-flight calls and breaker
// states as they are at scrape time.
type downstreamCollector struct {
	clients           *downstream.Clients
	inFlight, breaker *prometheus.Desc
}

func (c *downstreamCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inFlight
	ch <- c.breaker
}

func (c *downstreamCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range downstream.Services() {
		r := c.clients.Resilience(s)
		ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(r.InFlight()), string(s))
		current := r.BreakerState()
		for _, state := range []string{"closed", "half-open", "open"} {
			v := 0.0
			if state == current {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, v, string(s), state)
		}
	}
}

// WatchOverload registers the overload limiter's state with reg, read when
// scraped: its concurrency limit, requests in flight under it, the
// scheduling latency it last saw, whether the gateway is busy, and the
// requests it shed.
func WatchOverload(reg prometheus.Registerer, l *overload.Limiter) {
	gauge := func(name, help string, f func(overload.Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(l.Stats()) })
	}
	reg.MustRegister(
		gauge("gateway_overload_limit", "Requests the gateway admits in flight now (its adaptive concurrency limit).",
			func(s overload.Stats) float64 { return float64(s.Limit) }),
		gauge("gateway_overload_in_flight", "Requests in flight under the concurrency limit.",
			func(s overload.Stats) float64 { return float64(s.InFlight) }),
		gauge("gateway_sched_latency_seconds", "How long goroutines waited to run (p90) in the last adaptation interval.",
			func(s overload.Stats) float64 { return s.Lag.Seconds() }),
		gauge("gateway_overloaded", "1 while the gateway is its own bottleneck (scheduling latency past -overload-target).",
			func(s overload.Stats) float64 {
				if s.Busy {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gateway_shed_total", Help: "Requests refused with 503 past the concurrency limit."},
			func() float64 { return float64(l.Stats().Shed) }),
	)
}
