package gateway_test

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// BenchmarkResilienceOverhead compares the full query with every service
// healthy and instant, with the resilience layers on (the defaults) and
// bypassed (layers=off). Each request asks for another user, so that sharing
// identical calls, which would only make the layers look cheaper, rarely
// applies. See BENCHMARKS.md.
func BenchmarkResilienceOverhead(b *testing.B) {
	for _, policy := range []string{"layers=off", "layers=on"} {
		b.Run(policy, func(b *testing.B) {
			postFullQueries(b, gatewaytest.New(b, gatewaytest.Options{Policy: policy, Bench: true}), 8, everyUser())
		})
	}
}

// tailQuery is a dashboard of five calls, one per service but the catalog.
const tailQuery = `query($id: ID!) { dashboard(userId: $id) {
	profile { name } orders { id } recommendations { score } notifications { unreadCount } wallet { loyaltyPoints } } }`

// BenchmarkTailLatency sends TAIL_REQUESTS dashboards (default 20000) at a
// fixed rate of TAIL_RATE per second (default 400), open loop, to services
// with a long tail of two shapes: a uniform body (15-25 ms) and a
// log-normal one (median 20 ms, σ 0.5), each with 2% of calls at 800 ms;
// without hedging, with the adaptive delay (hedge=auto) and with a fixed
// one. It reports the dashboards' latency percentiles and the share of
// extra downstream calls. Run it with -benchtime 1x.
func BenchmarkTailLatency(b *testing.B) {
	n := envInt(b, "TAIL_REQUESTS", 20000)
	rate := envInt(b, "TAIL_RATE", 400)
	ms := time.Millisecond
	shapes := []struct {
		name    string
		latency simulator.Latency
	}{
		{"uniform", simulator.Latency{Min: 15 * ms, Max: 25 * ms, TailShare: 0.02, Tail: 800 * ms}},
		{"lognormal", simulator.Latency{Min: 20 * ms, Sigma: 0.5, TailShare: 0.02, Tail: 800 * ms}},
	}
	for _, shape := range shapes {
		behaviors := map[string]simulator.Behavior{}
		for _, s := range simulator.Services() {
			behaviors[s] = simulator.Behavior{Latency: shape.latency}
		}
		for _, policy := range []string{"hedge=off", "hedge=auto", "hedge=50ms"} {
			b.Run(shape.name+"/"+policy, func(b *testing.B) {
				tailLatency(b, gatewaytest.New(b, gatewaytest.Options{Behaviors: behaviors, Policy: policy, Bench: true}), n, rate)
			})
		}
	}
}

// tailLatency sends n tailQuery dashboards at rate per second, open loop,
// and reports their latency percentiles and the extra calls.
func tailLatency(b *testing.B, e *gatewaytest.Gateway, n, rate int) {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	b.ResetTimer()
	for i := range n {
		<-tick.C
		wg.Go(func() {
			r := e.Post(b, tailQuery, map[string]any{"id": "u" + strconv.Itoa(i%1000+1)})
			if len(r.GQL.Errors) > 0 {
				b.Errorf("errors %+v", r.GQL.Errors)
			}
			mu.Lock()
			lat = append(lat, r.Elapsed)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	ms := func(p float64) float64 {
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)]) / float64(time.Millisecond)
	}
	calls := 0
	for _, s := range simulator.Services() {
		calls += e.Sim.Stats(s).Calls
	}
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.9), "p90-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(0.999), "p99.9-ms")
	b.ReportMetric(100*(float64(calls)/float64(5*n)-1), "extra-calls-%")
	// Why a straggler was not hedged: no budget left, or the gateway busy.
	families, err := e.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	decisions := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "gateway_resilience_decisions_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "decision" {
					decisions[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	for _, d := range []string{"hedged", "hedge_budget", "busy"} {
		b.ReportMetric(decisions[d], d)
	}
}

// BenchmarkDedupe sends rounds of 100 identical concurrent dashboards to
// services answering in 50 ms, with sharing of identical calls on and off,
// and reports the downstream calls per dashboard.
func BenchmarkDedupe(b *testing.B) {
	slow := map[string]simulator.Behavior{}
	for _, s := range simulator.Services() {
		slow[s] = simulator.Behavior{Latency: simulator.Latency{Min: 50 * time.Millisecond}}
	}
	for _, policy := range []string{"dedupe=off", "dedupe=on"} {
		b.Run(policy, func(b *testing.B) {
			e := gatewaytest.New(b, gatewaytest.Options{Behaviors: slow, Policy: policy, Bench: true})
			rounds := 0
			for b.Loop() {
				var wg sync.WaitGroup
				for range 100 {
					wg.Go(func() { e.Post(b, tailQuery, map[string]any{"id": "u1"}) })
				}
				wg.Wait()
				rounds++
			}
			calls := 0
			for _, s := range simulator.Services() {
				calls += e.Sim.Stats(s).Calls
			}
			b.ReportMetric(float64(calls)/float64(100*rounds), "calls/dashboard")
		})
	}
}

func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a whole number > 0", name, v)
	}
	return n
}
