package loadtest_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The scenarios below are open-loop load tests: a fixed rate of full
// dashboards for a fixed time, against the floor and then the gateway, in
// front of the same simulated services. Run each once:
//
//	go test ./loadtest -run '^$' -bench 'Scenario' -benchtime 1x -timeout 30m
//
// Each reports, per side, the answers' p50, p99 and max latency, the share
// of partial, failed and shed answers, the complete answers per second, and
// the CPU each process used (the load generator's as client-cpu-%: it runs
// on the same cores).
// BENCHMARKS.md keeps the figures.

// scenario runs one open loop against each side in turn, for the full
// dashboard, or without products (one round of calls).
func scenario(b *testing.B, sim simulation, products bool, rate int, d time.Duration, gatewayEnv ...string) {
	w := newWorld(b, sim, gatewayEnv...)
	floorQuery, query := "", dashboardQuery
	if !products {
		floorQuery, query = "?products=false&shipments=false", topLevelQuery
	}
	p99 := map[string]time.Duration{}
	for _, s := range []struct {
		prefix  string
		request func() *http.Request
	}{
		{"floor-", restRequest(w.floorURL, floorQuery, users(10000))},
		{"gw-", graphqlRequest(w.gatewayURL, query, users(10000))},
	} {
		warm(b, s.request)
		before := counters(b, w.adminURL+"/metrics")
		cpu := cpuShares(b, w)
		sum := summarize(openLoop(rate, d, s.request), d, 1500*time.Millisecond)
		report(b, s.prefix, sum)
		b.ReportMetric(100*sum.shed, s.prefix+"shed-%")
		p99[s.prefix] = sum.p99
		cpu(s.prefix)
		reportPeakRSS(b, s.prefix, map[string]*proc{"floor-": w.floor, "gw-": w.gateway}[s.prefix])
		if s.prefix == "gw-" {
			after := counters(b, w.adminURL+"/metrics")
			attempts := after["attempts"] - before["attempts"]
			b.ReportMetric(100*(after["hedged"]-before["hedged"])/attempts, "gw-hedged-%")
			b.ReportMetric(100*(after["retried"]-before["retried"])/attempts, "gw-retried-%")
			for _, d := range []string{"hedge_budget", "hedge_won", "deduplicated", "attempt_timeout"} {
				b.ReportMetric(after[d]-before[d], "gw-"+d)
			}
		}
	}
	b.ReportMetric(float64((p99["gw-"]-p99["floor-"]).Microseconds())/1000, "gw-p99-over-floor-ms")
}

// counters reads the gateway's downstream attempts and its hedges and
// retries from its metrics.
func counters(b *testing.B, url string) map[string]float64 {
	m, err := scrape(url)
	if err != nil {
		b.Fatalf("metrics: %v", err)
	}
	out := map[string]float64{}
	for name, n := range m {
		switch {
		case strings.HasPrefix(name, "gateway_downstream_call_duration_seconds_count"):
			out["attempts"] += n
		case strings.HasPrefix(name, "gateway_resilience_decisions_total"):
			d := name[strings.Index(name, `decision="`)+len(`decision="`):]
			out[d[:strings.IndexByte(d, '"')]] += n
		}
	}
	return out
}

// warm sends a few requests first, so that connections and caches are in
// place before the measured run.
func warm(b *testing.B, request func() *http.Request) {
	out := openLoop(50, time.Second, request)
	for _, o := range out {
		if o.err != nil {
			b.Fatalf("warm-up: %v", o.err)
		}
	}
}

// BenchmarkScenarioTail: a long-tailed fleet (each call 15-25 ms, 2% of
// calls 800 ms) at 300 dashboards/s for 20 s, the gateway with adaptive
// hedging.
func BenchmarkScenarioTail(b *testing.B) {
	for range b.N {
		scenario(b, simulation{preset: "longtail"}, true, 300, 20*time.Second, "POLICY=hedge=auto")
	}
}

// BenchmarkScenarioHeavyTail: as BenchmarkScenarioTail, but each call's
// latency is log-normal around 20 ms (σ 0.5), with 2% of calls at 800 ms:
// the shape where a hedge delay below the tail's share is passed by many
// calls of the body and spends the budget before the stragglers come.
func BenchmarkScenarioHeavyTail(b *testing.B) {
	for range b.N {
		scenario(b, simulation{preset: "heavytail"}, true, 300, 20*time.Second, "POLICY=hedge=auto")
	}
}

// BenchmarkScenarioSlowServices: every call takes exactly 1 s, at 500
// dashboards/s for 20 s, the gateway with its defaults. The dashboards
// leave out products: a second round of 1 s calls could not fit the 1.5 s
// deadline.
func BenchmarkScenarioSlowServices(b *testing.B) {
	for range b.N {
		scenario(b, simulation{preset: "healthy", spec: "latency=1s"}, false, 500, 20*time.Second)
	}
}

// capacity is the gateway's closed-loop capacity: the complete answers per
// second that clients each sending their next request when the last one
// is answered get, for 6 s (after 1 s not counted), with enough of them to
// keep its CPU busy (32).
func capacity(request func() *http.Request) float64 {
	const clients, warmUp, d = 32, time.Second, 6 * time.Second
	var complete atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Since(start) < warmUp+d {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				o := send(ctx, request())
				cancel()
				if time.Since(start) > warmUp && o.err == nil && o.status == http.StatusOK && !o.partial && o.latency <= 1500*time.Millisecond {
					complete.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(complete.Load()) / d.Seconds()
}

// BenchmarkScenarioOverload: services answering at once, the gateway's
// closed-loop capacity measured first (capacity), then an open loop at
// twice that for 15 s, against the gateway and the floor, the load
// generator on the same cores (its CPU is reported as client-cpu-%).
// capacity/s is the gateway's; each side reports its goodput (complete
// answers within the deadline per second) and that as a share of the
// capacity (goodput-ratio), its shed share, the shed answers' p99
// (shed-p99-ms) apart from the admitted ones' (ok-p99-ms), and every
// answer's p99; and the shed p99, the p99 and the goodput ratio of the
// onset (the first 3 s) and of the steady state (the 12 s after) apart.
// With LOADTEST_LIMIT_TRACE set (and -test.v) it logs, per 100 ms of the
// gateway's first 2 s, the requests sent, the share shed, the shed and
// admitted answers' latency, and the limiter's state.
func BenchmarkScenarioOverload(b *testing.B) {
	for range b.N {
		w := newWorld(b, simulation{preset: "healthy"})
		gw := graphqlRequest(w.gatewayURL, dashboardQuery, users(10000))
		warm(b, gw)
		c := capacity(gw)
		b.ReportMetric(c, "capacity/s")
		rate := int(2 * c)
		for _, s := range []struct {
			prefix  string
			request func() *http.Request
		}{
			{"gw-", gw}, // first: the floor collapses, and its leftovers would load the machine
			{"floor-", restRequest(w.floorURL, "", users(10000))},
		} {
			warm(b, s.request)
			if file := os.Getenv("LOADTEST_CPUPROFILE"); file != "" && s.prefix == "gw-" {
				profile(b, w.adminURL, file)
			}
			cpu := cpuShares(b, w)
			trace := s.prefix == "gw-" && os.Getenv("LOADTEST_LIMIT_TRACE") != ""
			var limits []limitAt
			ctx, stop := context.WithCancel(context.Background())
			watched := make(chan struct{})
			if trace {
				go func() { limits = watchLimit(ctx, w.adminURL+"/metrics", time.Now()); close(watched) }()
			} else {
				close(watched)
			}
			out := openLoop(rate, 15*time.Second, s.request)
			stop()
			<-watched
			if trace {
				b.Logf("the onset, per 100 ms:\n%s", onsetTrace(out, rate, limits))
			}
			sum := summarize(out, 15*time.Second, 1500*time.Millisecond)
			report(b, s.prefix, sum)
			b.ReportMetric(100*sum.shed, s.prefix+"shed-%")
			b.ReportMetric(float64(sum.shedP99.Microseconds())/1000, s.prefix+"shed-p99-ms")
			b.ReportMetric(float64(sum.okP99.Microseconds())/1000, s.prefix+"ok-p99-ms")
			b.ReportMetric(sum.completePerSecond/c, s.prefix+"goodput-ratio")
			// The same apart for the onset (the first 3 s, while the limit
			// comes down from where it was and what it admitted before
			// drains) and the steady state after it: over the whole run,
			// the onset's answers are more than the slowest 1%.
			onset := 3 * rate // out is in the order the requests were sent
			for _, part := range []struct {
				name string
				out  []outcome
				d    time.Duration
			}{{"onset-", out[:onset], 3 * time.Second}, {"steady-", out[onset:], 12 * time.Second}} {
				ps := summarize(part.out, part.d, 1500*time.Millisecond)
				b.ReportMetric(float64(ps.shedP99.Microseconds())/1000, s.prefix+part.name+"shed-p99-ms")
				b.ReportMetric(float64(ps.shedConnP99.Microseconds())/1000, s.prefix+part.name+"shed-conn-p99-ms") // of which waiting for a connection
				b.ReportMetric(float64(ps.p99.Microseconds())/1000, s.prefix+part.name+"p99-ms")
				b.ReportMetric(ps.completePerSecond/c, s.prefix+part.name+"goodput-ratio")
			}
			cpu(s.prefix)
		}
	}
}

// cpuShares starts measuring the CPU each process of w and the load
// generator use; the returned func reports them as shares of one core.
func cpuShares(b *testing.B, w *world) func(prefix string) {
	self := &proc{name: "load generator", cmd: &exec.Cmd{Process: &os.Process{Pid: os.Getpid()}}}
	procs := map[string]*proc{"sim": w.sim, "gateway": w.gateway, "floor": w.floor, "client": self}
	before := map[string]time.Duration{}
	for n, p := range procs {
		before[n] = p.cpu(b)
	}
	start := time.Now()
	return func(prefix string) {
		elapsed := time.Since(start)
		for n, p := range procs {
			b.ReportMetric(100*float64(p.cpu(b)-before[n])/float64(elapsed), prefix+n+"-cpu-%")
		}
	}
}

// onsetTrace tells, per 100 ms of the first 2 s of an open loop at rate,
// how many requests were sent, the share shed, the shed answers' p50 and
// p99, the admitted answers' p50, and the limiter's state at the end of
// the 100 ms (limits, watched from the loop's start): for experiments
// (LOADTEST_LIMIT_TRACE, with -test.v).
func onsetTrace(out []outcome, rate int, limits []limitAt) string {
	var b strings.Builder
	per := rate / 10
	for i := 0; i+per <= len(out) && i < 2*rate; i += per {
		var shed, ok []time.Duration
		for _, o := range out[i : i+per] {
			switch {
			case o.err == nil && o.status == http.StatusServiceUnavailable:
				shed = append(shed, o.latency)
			case o.err == nil && o.status == http.StatusOK:
				ok = append(ok, o.latency)
			}
		}
		at := time.Duration(i/per+1) * 100 * time.Millisecond
		var l limitAt
		for _, m := range limits {
			if m.at <= at {
				l = m
			}
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		fmt.Fprintf(&b, "%5dms sent %4d shed %5.1f%% p50 %6.1f p99 %6.1f ok p50 %6.1f | limit %4.0f in flight %4.0f lag %6.1fms busy %v\n",
			at.Milliseconds(), per, 100*float64(len(shed))/float64(per), ms(percentile(shed, 0.5)), ms(percentile(shed, 0.99)), ms(percentile(ok, 0.5)),
			l.limit, l.inFlight, ms(l.lag), l.busy)
	}
	return b.String()
}
