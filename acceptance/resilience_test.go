package acceptance_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

const walletQuery = `query($id: ID!) { dashboard(userId: $id) { profile { name } wallet { loyaltyPoints } } }`

// A failing service trips its breaker; then its field fails at once with
// CIRCUIT_OPEN and the service is not called, while the others still are.
func TestBreakerOverHTTP(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultStatus500}},
		Policies:  map[downstream.Service]string{downstream.Wallet: "attempts=1,breaker-consecutive=2,breaker-open=1m"},
	})
	for i := range 2 {
		r := e.Post(t, walletQuery, map[string]any{"id": "u1"})
		if err := r.ErrorsByPath()["dashboard.wallet"]; err.Code() != "UPSTREAM_ERROR" {
			t.Fatalf("request %d: %+v; want UPSTREAM_ERROR", i, r.GQL.Errors)
		}
	}
	r := e.Post(t, walletQuery, map[string]any{"id": "u1"}, "X-Request-Id", "req-open")
	err := r.ErrorsByPath()["dashboard.wallet"]
	if err.Code() != "CIRCUIT_OPEN" || err.Service() != "wallet" || len(r.GQL.Errors) != 1 {
		t.Fatalf("errors %+v; want CIRCUIT_OPEN on wallet only", r.GQL.Errors)
	}
	gatewaytest.AssertClean(t, r.GQL.Errors)
	if d := r.Dashboard(t); d.Profile == nil {
		t.Error("profile missing; want it intact")
	}
	if n := e.Sim.Stats(simulator.Wallet).Calls; n != 2 {
		t.Errorf("wallet got %d calls; want 2 (none while open)", n)
	}
	if n := e.Sim.Stats(simulator.Profile).Calls; n != 3 {
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

func logged(e *gatewaytest.Gateway, match func(map[string]any) bool) bool {
	for _, l := range e.Logs.Lines() {
		if match(l) {
			return true
		}
	}
	return false
}

// Beyond its cap of calls in flight, a service's field fails at once with
// reason bulkhead_full instead of queueing.
func TestBulkheadOverHTTP(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 300 * time.Millisecond}}},
		Policies:  map[downstream.Service]string{downstream.Wallet: "max-in-flight=1"},
	})
	first := make(chan gatewaytest.Result, 1)
	go func() { first <- e.Post(t, walletQuery, map[string]any{"id": "u1"}) }()
	e.WaitFor(t, simulator.Wallet, "the first call in flight", func(s simulator.Stats) bool { return s.InFlight == 1 })

	r := e.Post(t, walletQuery, map[string]any{"id": "u2"}) // another user: nothing to share
	err := r.ErrorsByPath()["dashboard.wallet"]
	if err.Code() != "UPSTREAM_ERROR" || err.Extensions["reason"] != "bulkhead_full" || r.Elapsed > 250*time.Millisecond {
		t.Errorf("second request after %v: %+v; want UPSTREAM_ERROR bulkhead_full at once", r.Elapsed, r.GQL.Errors)
	}
	if r1 := <-first; len(r1.GQL.Errors) > 0 {
		t.Errorf("first request: %+v; want its data", r1.GQL.Errors)
	}
	if n := e.Sim.Stats(simulator.Wallet).Calls; n != 1 {
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
	e := gatewaytest.New(t, gatewaytest.Options{Behaviors: slow, Deadline: 5 * time.Second, Policy: "timeout=4s"})
	const query = `query($id: ID!) { dashboard(userId: $id) {
		profile { name } orders { id } recommendations { score } notifications { unreadCount } wallet { loyaltyPoints } } }`
	var wg sync.WaitGroup
	results := make([]gatewaytest.Result, 100)
	for i := range results {
		wg.Go(func() { results[i] = e.Post(t, query, map[string]any{"id": "u1"}) })
	}
	wg.Wait()
	for i, r := range results {
		if len(r.GQL.Errors) > 0 || r.Dashboard(t).Wallet == nil {
			t.Fatalf("request %d: %+v; want full data", i, r.GQL.Errors)
		}
	}
	want := map[string]int{"profile": 1, "orders": 1, "recommendations": 1, "notifications": 1, "wallet": 1}
	if got := e.CallCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("calls %v for 100 identical dashboards; want %v", got, want)
	}
	if !logged(e, func(l map[string]any) bool { return l["decision"] == "deduplicated" }) {
		t.Error("no log line for the deduplicated calls")
	}

	e.Sim.ResetStats()
	var wg2 sync.WaitGroup
	for _, id := range []string{"u1", "u2"} {
		wg2.Go(func() { e.Post(t, query, map[string]any{"id": id}) })
	}
	wg2.Wait()
	if got := e.Sim.Stats(simulator.Wallet).Calls; got != 2 {
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
			e := gatewaytest.New(t, gatewaytest.Options{Behaviors: tt.behaviors, Budgets: map[string]time.Duration{"recommendations": 100 * time.Millisecond}})
			r := e.Post(t, query, nil)
			if r.Elapsed > tt.max {
				t.Errorf("answered after %v; want %v at most", r.Elapsed, tt.max)
			}
			d := r.Dashboard(t)
			if d.Profile == nil {
				t.Error("profile missing")
			}
			if tt.wantPath == "" {
				if len(r.GQL.Errors) > 0 || len(d.Recommendations) == 0 {
					t.Errorf("errors %+v; want the recommendations", r.GQL.Errors)
				}
				return
			}
			err, ok := r.ErrorsByPath()[tt.wantPath]
			if !ok || err.Code() != "UPSTREAM_TIMEOUT" || err.Extensions["reason"] != "field_budget" || err.Service() != tt.wantSvc {
				t.Errorf("errors %+v; want UPSTREAM_TIMEOUT field_budget from %s at %s", r.GQL.Errors, tt.wantSvc, tt.wantPath)
			}
			gatewaytest.AssertClean(t, r.GQL.Errors)
		})
	}
}

// With h2c, the gateway speaks HTTP/2 without TLS to the services.
func TestH2C(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Policy: "h2c=on"})
	r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"})
	if len(r.GQL.Errors) > 0 {
		t.Fatalf("errors %+v", r.GQL.Errors)
	}
	for _, s := range simulator.Services() {
		for _, c := range e.Sim.Calls(s) {
			if c.Proto != "HTTP/2.0" {
				t.Errorf("%s call over %s; want HTTP/2.0", s, c.Proto)
			}
		}
	}
}

// Every attempt tells the service the time left for it, and the simulator
// gives up on the call when that has passed.
func TestDeadlinePropagation(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultHang}},
		Policies:  map[downstream.Service]string{downstream.Wallet: "timeout=200ms,attempts=1"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := e.Post(t, walletQuery, map[string]any{"id": "u1"})
	if err := r.ErrorsByPath()["dashboard.wallet"]; err.Code() != "UPSTREAM_TIMEOUT" {
		t.Fatalf("errors %+v; want UPSTREAM_TIMEOUT", r.GQL.Errors)
	}
	calls := e.Sim.Calls(simulator.Wallet)
	if len(calls) != 1 || calls[0].TimeoutMs > "200" || len(calls[0].TimeoutMs) != 3 {
		t.Errorf("calls %+v; want one with X-Timeout-Ms just under 200", calls)
	}
	if err := e.Sim.WaitFor(ctx, simulator.Wallet, func(s simulator.Stats) bool { return s.InFlight == 0 && s.Canceled+s.GaveUp == 1 }); err != nil {
		t.Error(err)
	}
}
