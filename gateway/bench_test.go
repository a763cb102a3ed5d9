package gateway_test

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// BenchmarkFullDashboard runs the full contract query over loopback HTTP
// against the simulated services, with every service answering after the
// given latency. See BENCHMARKS.md for figures and how to reproduce them.
func BenchmarkFullDashboard(b *testing.B) {
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		behaviors := map[string]simulator.Behavior{}
		for _, s := range simulator.Services() {
			behaviors[s] = simulator.Behavior{Latency: simulator.Latency{Min: latency}}
		}
		b.Run("latency="+latency.String(), func(b *testing.B) {
			e := gatewaytest.New(b, gatewaytest.Options{Behaviors: behaviors, Bench: true})
			vars := map[string]any{"id": "u1"}
			b.ReportAllocs()
			for b.Loop() {
				if r := e.Post(b, contract.DashboardQuery, vars); len(r.GQL.Errors) > 0 {
					b.Fatalf("errors %+v", r.GQL.Errors)
				}
			}
		})
		b.Run("latency="+latency.String()+"/parallel", func(b *testing.B) {
			// many clients at once, as in production
			postFullQueries(b, gatewaytest.New(b, gatewaytest.Options{Behaviors: behaviors, Bench: true}), 16, func() string { return "u1" })
		})
	}
}

// postFullQueries posts the full query from parallelism clients per
// GOMAXPROCS at once for the benchmark's iterations, each request for the
// user that user returns. An error in a response fails the benchmark.
func postFullQueries(b *testing.B, e *gatewaytest.Gateway, parallelism int, user func() string) {
	b.Helper()
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := e.Post(b, contract.DashboardQuery, map[string]any{"id": user()}); len(r.GQL.Errors) > 0 {
				b.Errorf("errors %+v", r.GQL.Errors)
				return
			}
		}
	})
}

// everyUser returns a function that gives another user's id on every call
// (safe for concurrent use), so that sharing identical calls rarely applies.
func everyUser() func() string {
	var n atomic.Int64
	return func() string { return "u" + strconv.FormatInt(n.Add(1)%simulator.NumUsers+1, 10) }
}

// BenchmarkDeadlineOvershoot measures how late past its deadline a response
// arrives, as the client sees it, when one service hangs and many clients
// ask at once. It reports percentiles of the overshoot.
func BenchmarkDeadlineOvershoot(b *testing.B) {
	const deadline = 100 * time.Millisecond
	for _, tc := range []struct {
		fault simulator.Fault
		par   int // clients per GOMAXPROCS
	}{
		{simulator.FaultHang, 1}, {simulator.FaultHangIgnoreCancel, 1}, {simulator.FaultSlowBody, 1},
		{simulator.FaultHang, 8}, {simulator.FaultHangIgnoreCancel, 8}, {simulator.FaultSlowBody, 8},
	} {
		fault := tc.fault
		b.Run(fmt.Sprintf("%s/clients=%dxGOMAXPROCS", fault, tc.par), func(b *testing.B) {
			e := gatewaytest.New(b, gatewaytest.Options{
				Deadline:  deadline,
				Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Fault: fault}},
				Bench:     true,
			})
			var mu sync.Mutex
			var over []time.Duration
			b.SetParallelism(tc.par)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := e.Post(b, contract.DashboardQuery, map[string]any{"id": "u1"})
					mu.Lock()
					over = append(over, r.Elapsed-deadline)
					mu.Unlock()
				}
			})
			slices.Sort(over)
			pct := func(p float64) float64 {
				return float64(over[int(p*float64(len(over)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.5), "p50-over-ms")
			b.ReportMetric(pct(0.99), "p99-over-ms")
			b.ReportMetric(pct(1), "max-over-ms")
		})
	}
}
