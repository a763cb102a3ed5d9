package loadtest_test

import (
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkCostScenarios compares the CPU one dashboard costs the gateway
// with what it costs the floor, both under the same garbage collector
// target, in each scenario of the simulated fleet:
//
//   - 0ms: every service answers at once;
//   - seed: the original aggregator's services (preset "seed": 100-1000 ms,
//     orders failing 30% of calls);
//   - heavytail: log-normal around 20 ms (σ 0.5) with 2% of calls at
//     800 ms (preset "heavytail");
//   - 1s: every call takes 1 s, the dashboard without products (a second
//     round of calls could not fit the deadline);
//
// with hedging off, and for seed and heavytail also with POLICY=hedge=p95
// (the "-hedged" scenarios; p95 is the adaptive delay's former name, which
// a gateway built from an older commit also takes), so that what hedging
// costs shows. Each runs at GOGC=100 for both, and as in the deployment's
// 256Mi pod ("GOGC=pod": the GOMEMLIMIT of 230 MiB the gateway derives
// there, and the GOGC it then chooses), which the floor then gets too (the
// GOGC and GOMEMLIMIT the gateway's metrics report).
//
// An op is one open loop of 10 s against both sides at once, each at the
// scenario's rate with its own schedule, so both see the same machine. Each
// side's CPU time (its threads' schedstat) over the whole loop, its drain
// included, is divided by its complete dashboards (200 without errors
// within the 1.5 s deadline) and by its answers; the ratios are the
// gateway's over the floor's. With LOADTEST_BASE_GATEWAY set to a gateway
// binary built from another commit, that gateway runs beside them under the
// same load ("base-" figures), for before and after in one run;
// LOADTEST_CPUPROFILE=/tmp/x writes each side's CPU profile of each
// (/tmp/xfloor-..., /tmp/xgw-..., /tmp/xbase-...), and LOADTEST_PERF=/tmp/x
// each side's perf record (4 kHz, with call stacks, kernel included) of the
// whole loop, for what pprof's 100 Hz is too coarse to tell at this light
// load (perf must be installed). Each side's wake-ups (times its threads
// were put on a CPU) and read and write system calls per answer show how
// much of its CPU goes to going idle and waking. LOADTEST_RATE overrides
// every scenario's rate. Run
// each once:
//
//	go test ./loadtest -run '^$' -bench CostScenarios -benchtime 1x -timeout 30m
func BenchmarkCostScenarios(b *testing.B) {
	for _, sc := range []struct {
		name     string
		sim      simulation
		products bool
		rate     int // dashboards per second to each side
		policy   string
	}{
		{"0ms", simulation{preset: "healthy"}, true, 100, ""},
		{"seed", simulation{preset: "seed"}, true, 100, ""},
		{"seed-hedged", simulation{preset: "seed"}, true, 100, "hedge=p95"},
		{"heavytail", simulation{preset: "heavytail"}, true, 100, ""},
		{"heavytail-hedged", simulation{preset: "heavytail"}, true, 100, "hedge=p95"},
		{"1s", simulation{preset: "healthy", spec: "latency=1s"}, false, 150, ""},
	} {
		for _, gogc := range []string{"100", "pod"} {
			b.Run(sc.name+"/GOGC="+gogc, func(b *testing.B) {
				env := []string{noShedding, "GOGC=100"}
				if gogc == "pod" {
					env = []string{noShedding, "GOGC=", "GOMEMLIMIT=230MiB"} // GOGC= is unset: the gateway's choice
				}
				if sc.policy != "" {
					env = append(env, "POLICY="+sc.policy)
				}
				w := newWorldWith(b, sc.sim, worldOptions{gatewayEnv: env, floorEnv: sameGC, base: true})
				rate := sc.rate
				if v, err := strconv.Atoi(os.Getenv("LOADTEST_RATE")); err == nil && v > 0 {
					rate = v // for experiments: how the ratio moves with the load
				}
				for range b.N {
					costOpenLoop(b, w, sc.products, rate, 10*time.Second)
				}
			})
		}
	}
}

// sameGC returns the environment that gives the floor the garbage
// collector settings w's gateway runs with, as its metrics report them.
func sameGC(w *world) []string {
	m, err := scrape(w.adminURL + "/metrics")
	if err != nil {
		return nil
	}
	var env []string
	if n, ok := m["go_gc_gogc_percent"]; ok {
		env = append(env, "GOGC="+strconv.FormatInt(int64(n), 10))
	}
	if n, ok := m["go_gc_gomemlimit_bytes"]; ok && n < 1<<62 { // no limit reads as math.MaxInt64
		env = append(env, "GOMEMLIMIT="+strconv.FormatInt(int64(n), 10))
	}
	return env
}

// costOpenLoop runs an open loop of rate dashboards per second for d
// against the floor and the gateway (and the base gateway, if any) at once,
// and reports each side's CPU per dashboard and their ratios.
func costOpenLoop(b *testing.B, w *world, products bool, rate int, d time.Duration) {
	floorQuery, query := "", dashboardQuery
	if !products {
		floorQuery, query = "?products=false&shipments=false", topLevelQuery
	}
	type costSide struct {
		prefix  string
		proc    *proc
		metrics string // "" for none
		request func() *http.Request
		out     []outcome
	}
	sides := []*costSide{
		{prefix: "floor-", proc: w.floor, metrics: w.floorURL + "/metrics", request: restRequest(w.floorURL, floorQuery, users(10000))},
		{prefix: "gw-", proc: w.gateway, metrics: w.adminURL + "/metrics", request: graphqlRequest(w.gatewayURL, query, users(10000))},
	}
	if w.base != nil {
		sides = append(sides, &costSide{prefix: "base-", proc: w.base, metrics: w.baseAdminURL + "/metrics", request: graphqlRequest(w.baseGatewayURL, query, users(10000))})
	}
	for _, s := range sides {
		warm(b, s.request)
	}
	cpu0 := make([]time.Duration, len(sides))
	allocs0 := make([]float64, len(sides))
	counters0 := make([]map[string]float64, len(sides))
	activity0 := make([][3]float64, len(sides))
	for i, s := range sides {
		activity0[i][0], activity0[i][1], activity0[i][2] = s.proc.activity(b)
		cpu0[i] = s.proc.cpu(b)
		allocs0[i], _ = allocs(b, s.metrics)
		counters0[i] = counters(b, s.metrics)
	}
	if file := os.Getenv("LOADTEST_CPUPROFILE"); file != "" {
		for _, s := range sides { // each side's, for the first 10 s
			profile(b, strings.TrimSuffix(s.metrics, "/metrics"), file+s.prefix)
		}
	}
	if file := os.Getenv("LOADTEST_PERF"); file != "" {
		for _, s := range sides { // each side's, sampled at 4 kHz for the loop, with stacks
			out := file + s.prefix + strings.ReplaceAll(b.Name(), "/", "-") + ".perf"
			rec := exec.Command("perf", "record", "-F", "4000", "-g", "-o", out, "-p", strconv.Itoa(s.proc.cmd.Process.Pid), "--", "sleep", strconv.Itoa(int(d.Seconds())))
			if err := rec.Start(); err != nil {
				b.Fatalf("perf: %v", err)
			}
			defer func() { _ = rec.Wait() }()
		}
	}
	var wg sync.WaitGroup
	for _, s := range sides {
		wg.Go(func() { s.out = openLoop(rate, d, s.request) })
	}
	wg.Wait()
	type figures struct{ cpuPerComplete, cpuPerAnswer float64 }
	var floor figures
	for i, s := range sides {
		cpu := float64((s.proc.cpu(b) - cpu0[i]).Microseconds())
		a, _ := allocs(b, s.metrics)
		sum := summarize(s.out, d, 1500*time.Millisecond)
		f := figures{cpu / float64(max(sum.complete, 1)), cpu / float64(sum.n)}
		b.ReportMetric(f.cpuPerComplete, s.prefix+"cpu-us/dash")
		b.ReportMetric(f.cpuPerAnswer, s.prefix+"cpu-us/answer")
		b.ReportMetric((a-allocs0[i])/float64(sum.n), s.prefix+"allocs/answer")
		wakeups, reads, writes := s.proc.activity(b)
		b.ReportMetric((wakeups-activity0[i][0])/float64(sum.n), s.prefix+"wakeups/answer")
		b.ReportMetric((reads-activity0[i][1])/float64(sum.n), s.prefix+"reads/answer")
		b.ReportMetric((writes-activity0[i][2])/float64(sum.n), s.prefix+"writes/answer")
		b.ReportMetric(100*float64(sum.complete)/float64(sum.n), s.prefix+"complete-%")
		b.ReportMetric(float64(sum.p99.Microseconds())/1000, s.prefix+"p99-ms")
		if i == 0 {
			floor = f
			continue
		}
		c := counters(b, s.metrics)
		attempts := c["attempts"] - counters0[i]["attempts"]
		b.ReportMetric(attempts/float64(sum.n), s.prefix+"calls/answer")
		b.ReportMetric(100*(c["hedged"]-counters0[i]["hedged"])/attempts, s.prefix+"hedged-%")
		b.ReportMetric(f.cpuPerComplete/floor.cpuPerComplete, s.prefix+"cpu-ratio")
		b.ReportMetric(f.cpuPerAnswer/floor.cpuPerAnswer, s.prefix+"answer-cpu-ratio")
	}
}
