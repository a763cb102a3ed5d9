package loadtest_test

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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
// of partial, failed and shed answers, and the complete answers per second.
// BENCHMARKS.md keeps the figures.

// scenario runs one open loop against each side in turn, for the full
// dashboard, or without products (one round of calls).
func scenario(b *testing.B, sim simulation, products bool, rate int, d time.Duration, gatewayEnv ...string) {
	w := newWorld(b, sim, gatewayEnv...)
	floorQuery, query := "", dashboardQuery
	if !products {
		floorQuery, query = "?products=false&shipments=false", topLevelQuery
	}
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
		report(b, s.prefix, summarize(openLoop(rate, d, s.request), d, 1500*time.Millisecond))
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
}

// counters reads the gateway's downstream attempts and its hedges and
// retries from its metrics.
func counters(b *testing.B, url string) map[string]float64 {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, v, _ := strings.Cut(line, " ")
		n, _ := strconv.ParseFloat(v, 64)
		switch {
		case strings.HasPrefix(name, "gateway_downstream_call_duration_seconds_count"):
			out["attempts"] += n
		case strings.HasPrefix(name, "gateway_resilience_decisions_total") && strings.Contains(name, `decision="hedged"`):
			out["hedged"] += n
		case strings.HasPrefix(name, "gateway_resilience_decisions_total") && strings.Contains(name, `decision="retried"`):
			out["retried"] += n
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
		scenario(b, simulation{preset: "longtail"}, true, 300, 20*time.Second, "POLICY=hedge=p95")
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

// capacity finds how many complete answers per second the gateway
// sustains: open loops of 4 s at rising rates (x1.2 from 300/s) until three
// of them got complete answers for less than 90% of their rate (or 15
// steps); its capacity is the median of those three, the plateau a
// saturated gateway holds.
func capacity(request func() *http.Request) float64 {
	var plateau []float64
	rate := 300.0
	for range 15 {
		d := 4 * time.Second
		s := summarize(openLoop(int(rate), d, request), d, 1500*time.Millisecond)
		if s.completePerSecond < 0.9*rate {
			if plateau = append(plateau, s.completePerSecond); len(plateau) == 3 {
				break
			}
		}
		rate *= 1.2
	}
	slices.Sort(plateau)
	return plateau[len(plateau)/2]
}

// BenchmarkScenarioOverload: services answering at once, the gateway's
// capacity measured first (capacity), then an open loop at twice that for
// 15 s, against the floor and the gateway.
// capacity/s is the gateway's; each side reports its goodput (complete
// answers within the deadline per second), shed share and latencies.
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
			report(b, s.prefix, summarize(openLoop(rate, 15*time.Second, s.request), 15*time.Second, 1500*time.Millisecond))
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
