package acceptance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/fastpath"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/simulator"
)

// The admin listener serves the metrics of the gateway's requests, of its
// calls (downstream's CallObserver), of the resilience layers' decisions
// (resilience.Observer) and of the services' breakers and in-flight calls
// (WatchDownstream), with the Go runtime's. Labels, operation names and
// error counting are package observability's tests.
func TestMetrics(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{
			simulator.Wallet: {Fault: simulator.FaultStatus500},
			simulator.Orders: {Fault: simulator.FaultReset, FaultCalls: 1}, // the first call resets, the retry works
		},
		Policies: map[downstream.Service]string{
			downstream.Wallet:          "attempts=1",
			downstream.Recommendations: "attempts=1,timeout=50ms",
		},
	})
	const full = `query Full { dashboard(userId: "u1") { profile { name } orders { id } wallet { loyaltyPoints } } }`
	for range 2 {
		e.Post(t, full, nil)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", strings.NewReader(`{"query":`))
	req.Header.Set("Content-Type", "application/json")
	e.Do(t, req) // not JSON: the gateway's own answer, before any operation

	e.Sim.SetBehavior(simulator.Recommendations, simulator.Behavior{Fault: simulator.FaultHang})
	e.Post(t, `query TimedOut { dashboard(userId: "u2") { recommendations { score } } }`, nil)

	m := e.Scrape(t)
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gateway_requests_total", map[string]string{"operation": "Full", "status": "200"}, 2},
		{"gateway_requests_total", map[string]string{"operation": "none", "status": "400"}, 1}, // a malformed request
		{"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_ERROR", "service": "wallet"}, 2},
		{"gateway_graphql_errors_total", map[string]string{"code": "BAD_REQUEST", "service": "none"}, 1},
		{"gateway_downstream_call_duration_seconds", map[string]string{"service": "wallet", "outcome": "bad_status"}, 2},
		{"gateway_downstream_call_duration_seconds", map[string]string{"service": "orders", "outcome": "connection_failed"}, 1},
		{"gateway_downstream_call_duration_seconds", map[string]string{"service": "orders", "outcome": "ok"}, 2},
		{"gateway_downstream_call_duration_seconds", map[string]string{"service": "profile", "outcome": "ok"}, 2},
		{"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_TIMEOUT", "service": "recommendations"}, 1},
		{"gateway_downstream_call_duration_seconds", map[string]string{"service": "recommendations", "outcome": "timeout"}, 1},
		{"gateway_resilience_decisions_total", map[string]string{"service": "recommendations", "decision": "attempt_timeout"}, 1},
		{"gateway_resilience_decisions_total", map[string]string{"service": "orders", "decision": "retried"}, 1},
		{"gateway_breaker_state", map[string]string{"service": "wallet", "state": "closed"}, 1},
		{"gateway_breaker_state", map[string]string{"service": "wallet", "state": "open"}, 0},
		{"gateway_downstream_in_flight", map[string]string{"service": "profile"}, 0},
	}
	for _, tt := range tests {
		if got := gatewaytest.MetricValue(m, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v; want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "go_memstats_heap_alloc_bytes"} {
		if _, ok := m[name]; !ok {
			t.Errorf("no %s: want the Go runtime and process metrics", name)
		}
	}
}

// The span tree of one request, continuing the client's trace, down to
// the downstream calls and their attempts, and the trace context the
// services received. The extension's own spans (names, attributes, status)
// are package observability's tests.
func TestTracing(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	e := gatewaytest.New(t, gatewaytest.Options{Tracing: observability.NewTracing(tp)})

	const clientTrace, clientSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := e.Post(t, `query Traced { dashboard(userId: "u1") { profile { name } orders { items { product { name } } } wallet { loyaltyPoints } } }`,
		nil, "traceparent", "00-"+clientTrace+"-"+clientSpan+"-01")
	if len(r.GQL.Errors) > 0 {
		t.Fatalf("errors %+v", r.GQL.Errors)
	}
	e.Server.Close() // waits for the handler, so every span has ended

	spans := exporter.GetSpans()
	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
		if got := s.SpanContext.TraceID().String(); got != clientTrace {
			t.Errorf("span %q in trace %s; want the client's %s", s.Name, got, clientTrace)
		}
	}
	find := func(name string) []tracetest.SpanStub {
		var out []tracetest.SpanStub
		for _, s := range spans {
			if s.Name == name {
				out = append(out, s)
			}
		}
		return out
	}
	parentName := func(s tracetest.SpanStub) string {
		if s.Parent.SpanID().String() == clientSpan {
			return "client"
		}
		return byID[s.Parent.SpanID()].Name
	}
	want := []struct {
		name, parent string
		count        int
	}{
		{"POST /query", "client", 1},
		{"query Traced", "POST /query", 1},
		{"graphql.field Dashboard.orders", "query Traced", 1},
		{"graphql.field Dashboard.wallet", "query Traced", 1},
		// A batched call serves many fields: it belongs to the operation.
		// A per-user call is its field's own.
		{"profile get users", "query Traced", 1},
		{"orders get orders", "graphql.field Dashboard.orders", 1},
		{"catalog get products", "query Traced", 1},
		{"wallet get wallet", "graphql.field Dashboard.wallet", 1},
		// Each attempt is named by its route template, as OpenTelemetry's
		// HTTP client spans are.
		{"GET /v1/users/{id}/orders", "orders get orders", 1},
		{"GET /v1/users/{id}/wallet", "wallet get wallet", 1},
	}
	for _, w := range want {
		got := find(w.name)
		if len(got) != w.count {
			t.Errorf("%d spans %q; want %d", len(got), w.name, w.count)
			continue
		}
		for _, s := range got {
			if p := parentName(s); p != w.parent {
				t.Errorf("span %q has parent %q; want %q", w.name, p, w.parent)
			}
		}
	}
	// Each HTTP attempt is a client span of its call, and the services got
	// the trace context.
	attempts := 0
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindClient {
			attempts++
			if p := parentName(s); !strings.HasSuffix(p, " get users") && !strings.HasPrefix(p, "orders ") &&
				!strings.HasPrefix(p, "catalog ") && !strings.HasPrefix(p, "wallet ") {
				t.Errorf("attempt span under %q; want under its call", p)
			}
		}
	}
	if attempts != 4 {
		t.Errorf("%d attempt spans; want 4", attempts)
	}
	// No span names a user or product id: URLs hold them, so spans carry
	// the route template (url.template), never url.full.
	for _, sp := range spans {
		for _, a := range sp.Attributes {
			if v := a.Value.Emit(); a.Key == "url.full" || strings.Contains(v, "u1") || strings.Contains(v, "/p1") || strings.Contains(v, "p1,") {
				t.Errorf("span %q: %s=%q; want no ids in spans", sp.Name, a.Key, v)
			}
		}
	}
	for _, svc := range []string{simulator.Profile, simulator.Orders, simulator.Catalog, simulator.Wallet} {
		for _, c := range e.Sim.Calls(svc) {
			if !strings.Contains(c.Traceparent, clientTrace) {
				t.Errorf("%s got traceparent %q; want the trace %s", svc, c.Traceparent, clientTrace)
			}
		}
	}
}

// With tracing off, nothing goes downstream but the contract's headers.
func TestNoTraceparentWhenTracingOff(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	e.Post(t, walletQuery, map[string]any{"id": "u1"}, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	for _, c := range e.Sim.Calls(simulator.Wallet) {
		if c.Traceparent != "" {
			t.Errorf("wallet got traceparent %q with tracing off", c.Traceparent)
		}
	}
}

var serverTimingEntry = regexp.MustCompile(`([a-z]+);dur=(\d+(?:\.\d+)?)`)

// Server-Timing has the time the request waited on each service it called,
// as the downstream clients measured it. Its format is package
// observability's tests.
func TestServerTiming(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Behaviors: map[string]simulator.Behavior{
		simulator.Wallet: {Latency: simulator.Latency{Min: 60 * time.Millisecond}},
	}})
	r := e.Post(t, walletQuery, map[string]any{"id": "u1"})
	header := r.Header.Get("Server-Timing")
	durs := map[string]float64{}
	for _, m := range serverTimingEntry.FindAllStringSubmatch(header, -1) {
		durs[m[1]], _ = strconv.ParseFloat(m[2], 64)
	}
	if durs["wallet"] < 60 || durs["profile"] <= 0 || durs["total"] < durs["wallet"] {
		t.Errorf("Server-Timing %q; want profile, wallet (>= 60ms) and a total covering them", header)
	}
}

// The configuration's FieldTiming lets clients ask for timings, which
// include the time waited on each service. When they appear is package
// observability's tests.
func TestFieldTiming(t *testing.T) {
	for _, tt := range []struct {
		allowed, asked, want bool
	}{{true, true, true}, {false, true, false}} {
		t.Run(fmt.Sprintf("allowed=%v,asked=%v", tt.allowed, tt.asked), func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Timing: tt.allowed})
			body, _ := json.Marshal(map[string]any{"query": walletQuery, "variables": map[string]any{"id": "u1"},
				"extensions": map[string]any{"timing": tt.asked}})
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			r := e.Do(t, req)
			var resp struct {
				Extensions struct {
					Timing *struct {
						TotalMs  float64
						Services map[string]float64
						Fields   []observability.FieldTiming
					}
				}
			}
			gatewaytest.Decode(t, r.Body, &resp)
			timing := resp.Extensions.Timing
			if (timing != nil) != tt.want {
				t.Fatalf("timing in extensions: %v; want %v (%s)", timing != nil, tt.want, r.Body)
			}
			if timing != nil && (len(timing.Fields) != 2 || timing.Services["wallet"] <= 0 || timing.TotalMs <= 0) {
				t.Errorf("timing %+v; want the two fields and the services", timing)
			}
		})
	}
}

// One access log line per request, with the request's id and its route.
// Its fields, and what it never holds, are package observability's tests.
func TestAccessLog(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	e.Post(t, `query Named($id: ID!) { dashboard(userId: $id) { profile { name } wallet { loyaltyPoints } } }`,
		map[string]any{"id": "u1"}, "X-Request-Id", "req-access")
	var lines []map[string]any
	for _, l := range e.Logs.Lines() {
		if l["msg"] == "request" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d access log lines; want 1", len(lines))
	}
	l := lines[0]
	if l["route"] != "/query" || l["operation"] != "Named" || l["status"] != 200.0 || l["request_id"] != "req-access" {
		t.Errorf("access log %v; want route, operation, status and request id", l)
	}
}

// /readyz follows the process's readiness; /healthz only says it is alive.
func TestReadiness(t *testing.T) {
	ready := true
	h := gateway.New(gateway.Options{Ready: func() bool { return ready }})
	for _, tt := range []struct {
		ready        bool
		path         string
		status       int
		wantContains string
	}{
		{true, "/readyz", 200, "ready"},
		{false, "/readyz", 503, "draining"},
		{false, "/healthz", 200, "ok"},
	} {
		ready = tt.ready
		rec := httptestRecorder(h, tt.path)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.wantContains) {
			t.Errorf("ready=%v GET %s = %d %s; want %d", tt.ready, tt.path, rec.Code, rec.Body, tt.status)
		}
	}
}

// httptestRecorder serves one GET of path with h, in memory.
func httptestRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// Every operation the fast path leaves to gqlgen's executor is counted
// with its reason (every reason shows from the start, at 0); the fast
// path's own are not.
func TestFallbacksAreCounted(t *testing.T) {
	gw := gatewaytest.New(t, gatewaytest.Options{})
	fallbacks := func() map[string]float64 {
		families := gw.Scrape(t)
		out := map[string]float64{}
		for _, r := range fastpath.Reasons() {
			out[string(r)] = gatewaytest.MetricValue(families, "gateway_fastpath_fallbacks_total", map[string]string{"reason": string(r)})
		}
		return out
	}
	if got := fallbacks(); len(got) != len(fastpath.Reasons()) || got["introspection"] != 0 {
		t.Fatalf("fallbacks at start %v; want every reason at 0", got)
	}
	gw.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"})
	gw.Post(t, `{ __type(name: "Dashboard") { name } dashboard(userId: "u1") { userId } }`, nil)
	got := fallbacks()
	for r, n := range got {
		if want := map[bool]float64{true: 1}[r == "introspection"]; n != want {
			t.Errorf("fallbacks{reason=%q} = %v; want %v", r, n, want)
		}
	}
}
