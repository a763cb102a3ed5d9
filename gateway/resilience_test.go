package gateway_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

const walletQuery = `query($id: ID!) { dashboard(userId: $id) { profile { name } wallet { loyaltyPoints } } }`

// A failing service trips its breaker; then its field fails at once with
// CIRCUIT_OPEN and the service is not called, while the others still are.
func TestBreakerOverHTTP(t *testing.T) {
	e := newEnv(t, envOptions{
		behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultStatus500}},
		policies:  map[downstream.Service]string{downstream.Wallet: "attempts=1,breaker-consecutive=2,breaker-open=1m"},
	})
	for i := range 2 {
		r := e.post(t, walletQuery, map[string]any{"id": "u1"})
		if err := r.errorsByPath()["dashboard.wallet"]; err.code() != "UPSTREAM_ERROR" {
			t.Fatalf("request %d: %+v; want UPSTREAM_ERROR", i, r.gql.Errors)
		}
	}
	r := e.post(t, walletQuery, map[string]any{"id": "u1"}, "X-Request-Id", "req-open")
	err := r.errorsByPath()["dashboard.wallet"]
	if err.code() != "CIRCUIT_OPEN" || err.service() != "wallet" || len(r.gql.Errors) != 1 {
		t.Fatalf("errors %+v; want CIRCUIT_OPEN on wallet only", r.gql.Errors)
	}
	assertClean(t, r.gql.Errors)
	if d := r.dashboard(t); d.Profile == nil {
		t.Error("profile missing; want it intact")
	}
	if n := e.sim.Stats(simulator.Wallet).Calls; n != 2 {
		t.Errorf("wallet got %d calls; want 2 (none while open)", n)
	}
	if n := e.sim.Stats(simulator.Profile).Calls; n != 3 {
		t.Errorf("profile got %d calls; want 3", n)
	}
	if !logged(e, func(l map[string]any) bool {
		return l["decision"] == "short_circuited" && l["service"] == "wallet" && l["request_id"] == "req-open"
	}) {
		t.Error("no log line for the short-circuit")
	}
	if !logged(e, func(l map[string]any) bool { return l["msg"] == "circuit breaker changed state" && l["to"] == "open" }) {
		t.Error("no log line for the breaker opening")
	}
}

func logged(e *env, match func(map[string]any) bool) bool {
	for _, l := range e.logs.lines() {
		if match(l) {
			return true
		}
	}
	return false
}

// Beyond its cap of calls in flight, a service's field fails at once with
// reason bulkhead_full instead of queueing.
func TestBulkheadOverHTTP(t *testing.T) {
	e := newEnv(t, envOptions{
		behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 300 * time.Millisecond}}},
		policies:  map[downstream.Service]string{downstream.Wallet: "max-in-flight=1"},
	})
	first := make(chan result, 1)
	go func() { first <- e.post(t, walletQuery, map[string]any{"id": "u1"}) }()
	e.waitFor(t, simulator.Wallet, "the first call in flight", func(s simulator.Stats) bool { return s.InFlight == 1 })

	r := e.post(t, walletQuery, map[string]any{"id": "u2"}) // another user: nothing to share
	err := r.errorsByPath()["dashboard.wallet"]
	if err.code() != "UPSTREAM_ERROR" || err.Extensions["reason"] != "bulkhead_full" || r.elapsed > 250*time.Millisecond {
		t.Errorf("second request after %v: %+v; want UPSTREAM_ERROR bulkhead_full at once", r.elapsed, r.gql.Errors)
	}
	if r1 := <-first; len(r1.gql.Errors) > 0 {
		t.Errorf("first request: %+v; want its data", r1.gql.Errors)
	}
	if n := e.sim.Stats(simulator.Wallet).Calls; n != 1 {
		t.Errorf("wallet got %d calls; want 1", n)
	}
}

// 100 concurrent identical dashboards cost one call per service while they
// overlap; different requests do not share.
func TestDeduplicationAcrossRequests(t *testing.T) {
	slow := map[string]simulator.Behavior{}
	for _, s := range simulator.Services() {
		slow[s] = simulator.Behavior{Latency: simulator.Latency{Min: time.Second}}
	}
	e := newEnv(t, envOptions{behaviors: slow, deadline: 5 * time.Second, policy: "timeout=4s"})
	const query = `query($id: ID!) { dashboard(userId: $id) {
		profile { name } orders { id } recommendations { score } notifications { unreadCount } wallet { loyaltyPoints } } }`
	var wg sync.WaitGroup
	results := make([]result, 100)
	for i := range results {
		wg.Go(func() { results[i] = e.post(t, query, map[string]any{"id": "u1"}) })
	}
	wg.Wait()
	for i, r := range results {
		if len(r.gql.Errors) > 0 || r.dashboard(t).Wallet == nil {
			t.Fatalf("request %d: %+v; want full data", i, r.gql.Errors)
		}
	}
	want := map[string]int{"profile": 1, "orders": 1, "recommendations": 1, "notifications": 1, "wallet": 1}
	if got := e.callCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("calls %v for 100 identical dashboards; want %v", got, want)
	}
	if !logged(e, func(l map[string]any) bool { return l["decision"] == "deduplicated" }) {
		t.Error("no log line for the deduplicated calls")
	}

	e.sim.ResetStats()
	var wg2 sync.WaitGroup
	for _, id := range []string{"u1", "u2"} {
		wg2.Go(func() { e.post(t, query, map[string]any{"id": id}) })
	}
	wg2.Wait()
	if got := e.sim.Stats(simulator.Wallet).Calls; got != 2 {
		t.Errorf("two different users: %d wallet calls; want 2", got)
	}
}

// Optional fields stop waiting once their budget has passed and the
// critical fields are in; while a critical field is still loading they wait.
func TestFieldBudgets(t *testing.T) {
	latency := func(d time.Duration) simulator.Behavior {
		return simulator.Behavior{Latency: simulator.Latency{Min: d}}
	}
	const query = `{ dashboard(userId: "u1") { profile { name } recommendations { score product { name } } } }`
	tests := []struct {
		name      string
		behaviors map[string]simulator.Behavior
		wantPath  string // the field that gives up; "" for none
		wantSvc   string
		max       time.Duration
	}{
		{"slow optional field is dropped",
			map[string]simulator.Behavior{simulator.Recommendations: latency(800 * time.Millisecond)},
			"dashboard.recommendations", "recommendations", 100*time.Millisecond + margin},
		{"waits while a critical field loads",
			map[string]simulator.Behavior{simulator.Profile: latency(400 * time.Millisecond), simulator.Recommendations: latency(250 * time.Millisecond)},
			"", "", 400*time.Millisecond + margin},
		{"an optional field's products share its budget",
			map[string]simulator.Behavior{simulator.Catalog: latency(800 * time.Millisecond)},
			"dashboard.recommendations.0.product", "catalog", 100*time.Millisecond + margin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{behaviors: tt.behaviors, budgets: map[string]time.Duration{"recommendations": 100 * time.Millisecond}})
			r := e.post(t, query, nil)
			if r.elapsed > tt.max {
				t.Errorf("answered after %v; want %v at most", r.elapsed, tt.max)
			}
			d := r.dashboard(t)
			if d.Profile == nil {
				t.Error("profile missing")
			}
			if tt.wantPath == "" {
				if len(r.gql.Errors) > 0 || len(d.Recommendations) == 0 {
					t.Errorf("errors %+v; want the recommendations", r.gql.Errors)
				}
				return
			}
			err, ok := r.errorsByPath()[tt.wantPath]
			if !ok || err.code() != "UPSTREAM_TIMEOUT" || err.Extensions["reason"] != "field_budget" || err.service() != tt.wantSvc {
				t.Errorf("errors %+v; want UPSTREAM_TIMEOUT field_budget from %s at %s", r.gql.Errors, tt.wantSvc, tt.wantPath)
			}
			assertClean(t, r.gql.Errors)
		})
	}
}

// With h2c, the gateway speaks HTTP/2 without TLS to the services.
func TestH2C(t *testing.T) {
	e := newEnv(t, envOptions{policy: "h2c=on"})
	r := e.post(t, fullQuery, map[string]any{"id": "u1"})
	if len(r.gql.Errors) > 0 {
		t.Fatalf("errors %+v", r.gql.Errors)
	}
	for _, s := range simulator.Services() {
		for _, c := range e.sim.Calls(s) {
			if c.Proto != "HTTP/2.0" {
				t.Errorf("%s call over %s; want HTTP/2.0", s, c.Proto)
			}
		}
	}
}

// Every attempt tells the service the time left for it, and the simulator
// gives up on the call when that has passed.
func TestDeadlinePropagation(t *testing.T) {
	e := newEnv(t, envOptions{
		behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultHang}},
		policies:  map[downstream.Service]string{downstream.Wallet: "timeout=200ms,attempts=1"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := e.post(t, walletQuery, map[string]any{"id": "u1"})
	if err := r.errorsByPath()["dashboard.wallet"]; err.code() != "UPSTREAM_TIMEOUT" {
		t.Fatalf("errors %+v; want UPSTREAM_TIMEOUT", r.gql.Errors)
	}
	calls := e.sim.Calls(simulator.Wallet)
	if len(calls) != 1 || calls[0].TimeoutMs > "200" || len(calls[0].TimeoutMs) != 3 {
		t.Errorf("calls %+v; want one with X-Timeout-Ms just under 200", calls)
	}
	if err := e.sim.WaitFor(ctx, simulator.Wallet, func(s simulator.Stats) bool { return s.InFlight == 0 && s.Canceled+s.GaveUp == 1 }); err != nil {
		t.Error(err)
	}
}
