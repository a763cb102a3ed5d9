package acceptance_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// knownCodes are the codes a response may carry.
var knownCodes = map[string]bool{
	"NOT_FOUND": true, "UPSTREAM_ERROR": true, "UPSTREAM_TIMEOUT": true, "DEADLINE_EXCEEDED": true, "CIRCUIT_OPEN": true,
}

// A bounded chaos soak: concurrent clients against services that fail at
// random in every way the simulator knows. Every response must be valid
// GraphQL JSON, on time, never a 5xx; afterwards no goroutine is left and the
// heap is back where it was. SOAK_DURATION (e.g. 2m) runs it longer.
func TestChaosSoak(t *testing.T) {
	duration := 3 * time.Second
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SOAK_DURATION=%q: %v", v, err)
		}
		duration = d
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	latency := simulator.Latency{Min: 5 * time.Millisecond, Max: 60 * time.Millisecond, TailShare: 0.02, Tail: 400 * time.Millisecond}
	chaos := map[string]simulator.Behavior{
		simulator.Profile:         {Latency: latency, Fault: simulator.FaultStatus500, FaultRate: 0.1},
		simulator.Orders:          {Latency: latency, Fault: simulator.FaultReset, FaultRate: 0.1},
		simulator.Catalog:         {Latency: latency, Fault: simulator.FaultMalformed, FaultRate: 0.05},
		simulator.Recommendations: {Latency: latency, Fault: simulator.FaultHang, FaultRate: 0.05},
		simulator.Notifications:   {Latency: latency, Fault: simulator.FaultSlowBody, FaultRate: 0.05},
		simulator.Wallet:          {Latency: latency, Fault: simulator.FaultStatus503, FaultRate: 0.1},
	}
	const deadline = 500 * time.Millisecond
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: chaos,
		Deadline:  deadline,
		Bench:     true,
		Policy:    "timeout=200ms,backoff=10ms,backoff-max=40ms",
		Policies: map[downstream.Service]string{
			downstream.Recommendations: "timeout=200ms,hedge=auto",
			downstream.Catalog:         "timeout=200ms,h2c=on",
			downstream.Wallet:          "timeout=200ms,h2c=on,breaker-consecutive=5,breaker-open=200ms",
		},
		Budgets: map[string]time.Duration{"notifications": 150 * time.Millisecond},
	})
	queries := []struct {
		query string
		vars  func(r *rand.Rand) map[string]any
	}{
		{contract.DashboardQuery, func(r *rand.Rand) map[string]any { return map[string]any{"id": fmt.Sprintf("u%d", r.IntN(200)+1)} }},
		{matrixQuery, func(*rand.Rand) map[string]any { return nil }},
		{`query($ids: [ID!]!) { dashboards(userIds: $ids) { profile { name } orders(first: 3) { items { product { name } } } wallet { loyaltyPoints } } }`,
			func(r *rand.Rand) map[string]any {
				return map[string]any{"ids": []string{fmt.Sprintf("u%d", r.IntN(50)+1), fmt.Sprintf("u%d", r.IntN(50)+1), "u99999999"}}
			}},
	}

	heapBefore := heapInUse()
	var requests, late, bad atomic.Int64
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for client := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(client), 7))
			for time.Now().Before(stop) {
				q := queries[rng.IntN(len(queries))]
				r := e.Post(t, q.query, q.vars(rng))
				requests.Add(1)
				if r.Elapsed > deadline+margin {
					late.Add(1)
					t.Errorf("answered after %v; want the %v deadline (+%v)", r.Elapsed, deadline, margin)
				}
				if r.Status != 200 || r.GQL.Data == nil {
					bad.Add(1)
					t.Errorf("status %d, body %.300s; want 200 with data", r.Status, r.Body)
				}
				for _, err := range r.GQL.Errors {
					if !knownCodes[err.Code()] {
						bad.Add(1)
						t.Errorf("error %+v; want one of the known codes", err)
					}
				}
				gatewaytest.AssertClean(t, r.GQL.Errors)
			}
		})
	}
	wg.Wait()
	t.Logf("%d requests in %v: %d late, %d bad", requests.Load(), duration, late.Load(), bad.Load())
	if requests.Load() < 10 {
		t.Errorf("only %d requests", requests.Load())
	}
	e.Client.CloseIdleConnections()
	if grown := heapInUse() - heapBefore; grown > 16<<20 {
		t.Errorf("heap grew by %d MiB over the soak; want it back near where it was", grown>>20)
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
