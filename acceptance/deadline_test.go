package acceptance_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// margin is how late past its deadline a response may arrive in these tests.
// The gateway's target is 25 ms; the margin is wide enough to hold on a loaded
// 2-core machine under -race. BENCHMARKS.md records the overshoot measured
// under load.
const margin = 250 * time.Millisecond

func checkOnTime(tb testing.TB, elapsed, deadline time.Duration) {
	tb.Helper()
	if elapsed < deadline-5*time.Millisecond || elapsed > deadline+margin {
		tb.Errorf("answered after %v; want the deadline %v (+%v at most)", elapsed, deadline, margin)
	}
}

func TestDeadlineWithMisbehavingService(t *testing.T) {
	tests := []struct {
		service string
		fault   simulator.Fault
		// sees reports whether the service can observe the cancellation
		// (a handler that ignores it cannot).
		sees bool
	}{
		{simulator.Wallet, simulator.FaultHang, true},
		{simulator.Profile, simulator.FaultHangIgnoreCancel, false},
		{simulator.Orders, simulator.FaultSlowBody, false},
		{simulator.Notifications, simulator.FaultHang, true},
	}
	const deadline = 400 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.service+"/"+string(tt.fault), func(t *testing.T) {
			t.Cleanup(func() { goleak.VerifyNone(t) }) // runs after the env's cleanup
			e := gatewaytest.New(t, gatewaytest.Options{Deadline: deadline, Behaviors: map[string]simulator.Behavior{tt.service: {Fault: tt.fault}}})
			r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u4"}, "X-Request-Id", "req-deadline")
			checkOnTime(t, r.Elapsed, deadline)
			err, ok := r.ErrorsByPath()["dashboard."+tt.service]
			if !ok || err.Code() != "DEADLINE_EXCEEDED" || err.Service() != tt.service {
				t.Fatalf("errors %+v; want DEADLINE_EXCEEDED on %s", r.GQL.Errors, tt.service)
			}
			if len(r.GQL.Errors) != 1 {
				t.Errorf("errors %+v; want only the one", r.GQL.Errors)
			}
			gatewaytest.AssertClean(t, r.GQL.Errors)
			gatewaytest.AssertOthersIntact(t, r.Dashboard(t), tt.service)
			if tt.sees {
				e.WaitFor(t, tt.service, "the call to be cancelled", func(s simulator.Stats) bool { return s.Canceled == 1 })
			}
		})
	}
}

// On timeout nothing that already arrived is lost: the orders are kept
// (with their shipments, asked for as soon as the orders came) while their
// products, still waiting on the catalog, are null.
func TestDeadlineKeepsWhatArrived(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	const deadline = 400 * time.Millisecond
	e := gatewaytest.New(t, gatewaytest.Options{Deadline: deadline, Behaviors: map[string]simulator.Behavior{
		simulator.Catalog: {Fault: simulator.FaultHang},
		simulator.Orders:  {Latency: simulator.Latency{Min: 50 * time.Millisecond}},
	}})
	r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"})
	checkOnTime(t, r.Elapsed, deadline)
	d := r.Dashboard(t)
	if len(d.Orders) != 10 || d.Profile == nil || d.Wallet == nil || d.Notifications == nil || len(d.Recommendations) != 10 {
		t.Fatalf("dashboard %+v; want everything but the products", d)
	}
	paths := gatewaytest.FailedPaths(d, simulator.Catalog, true)
	if len(r.GQL.Errors) != len(paths) {
		t.Errorf("%d errors; want %d, one per product", len(r.GQL.Errors), len(paths))
	}
	for _, p := range paths {
		if err := r.ErrorsByPath()[p]; err.Code() != "DEADLINE_EXCEEDED" || err.Service() != "catalog" {
			t.Errorf("error at %s = %+v; want DEADLINE_EXCEEDED from catalog", p, err)
		}
	}
	e.WaitFor(t, simulator.Catalog, "the catalog call to be cancelled", func(s simulator.Stats) bool { return s.Canceled >= 1 })
}

func TestTimeoutHeader(t *testing.T) {
	hangWallet := map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultHang}}
	tests := []struct {
		name     string
		header   string
		limit    time.Duration
		deadline time.Duration // 0: a 400 is expected
	}{
		{"shortens", "200", 3 * time.Second, 200 * time.Millisecond},
		{"clamped to the server's", "60000", 300 * time.Millisecond, 300 * time.Millisecond},
		{"too large for a number, clamped", "99999999999999999999", 300 * time.Millisecond, 300 * time.Millisecond},
		{"not a number", "soon", time.Second, 0},
		{"zero", "0", time.Second, 0},
		{"negative", "-5", time.Second, 0},
		{"fraction", "1.5", time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Deadline: tt.limit, Behaviors: hangWallet})
			r := e.Post(t, `{ dashboard(userId: "u1") { profile { name } wallet { loyaltyPoints } } }`, nil, "X-Timeout-Ms", tt.header)
			if tt.deadline == 0 {
				if r.Status != http.StatusBadRequest || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "BAD_REQUEST" {
					t.Errorf("status %d, body %s; want 400 BAD_REQUEST", r.Status, r.Body)
				}
				if calls := e.CallCounts(); len(calls) != 0 {
					t.Errorf("downstream calls %v; want none", calls)
				}
				return
			}
			checkOnTime(t, r.Elapsed, tt.deadline)
			if err := r.ErrorsByPath()["dashboard.wallet"]; err.Code() != "DEADLINE_EXCEEDED" {
				t.Errorf("errors %+v; want DEADLINE_EXCEEDED on wallet", r.GQL.Errors)
			}
			for _, c := range e.Sim.Calls(simulator.Profile) {
				if c.TimeoutMs == "" || len(c.TimeoutMs) > len("300") {
					t.Errorf("profile call X-Timeout-Ms %q; want at most %v", c.TimeoutMs, tt.deadline)
				}
			}
		})
	}
}

// A client that goes away cancels its fan-out: the service sees the call
// end long before the request's own deadline.
func TestClientDisconnectCancelsFanOut(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	e := gatewaytest.New(t, gatewaytest.Options{Deadline: time.Minute, Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultHang}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+gatewaytest.QueryPath(`{ dashboard(userId: "u1") { wallet { loyaltyPoints } } }`), nil)
		resp, err := e.Client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	e.WaitFor(t, simulator.Wallet, "the call to arrive", func(s simulator.Stats) bool { return s.InFlight == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("request succeeded; want it cancelled")
	}
	e.WaitFor(t, simulator.Wallet, "the call to be cancelled", func(s simulator.Stats) bool { return s.Canceled == 1 })
}

// A client so slow to send its body that the deadline passes first gets a
// DEADLINE_EXCEEDED answer (not gqlgen's bare "null"), and no service is
// called. The wait below is the point of the test: time has to pass.
func TestSlowUploadMeetsTheDeadline(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Timeout-Ms", "50")
	go func() {
		_, _ = pw.Write([]byte(`{"query": "{ dashboard(userId: \"u1\") `))
		<-time.After(200 * time.Millisecond)
		_, _ = pw.Write([]byte(`{ profile { name } } }"}`))
		pw.Close()
	}()
	r := e.Do(t, req)
	if r.Status != 200 || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "DEADLINE_EXCEEDED" {
		t.Errorf("%d %s; want one DEADLINE_EXCEEDED", r.Status, r.Body)
	}
	if calls := e.CallCounts(); len(calls) != 0 {
		t.Errorf("downstream calls %v; want none", calls)
	}
}
