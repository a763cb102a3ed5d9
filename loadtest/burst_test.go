package loadtest_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkScenarioBurst is the red team's pattern: many clients share
// the gateway at 60% of its closed-loop capacity for 8 s, 240 of them,
// told apart by the X-Forwarded-For a trusted proxy sets; from 2 s to 3 s
// one more client sends full dashboards at 1.5 times the capacity on its
// own. It reports the others' shed share before, during and after the
// burst (others-shed-during-%, ...), the flooder's, the others' p99, the
// limit before the burst and its lowest, and how long after the burst's
// end the limit took to be back within 10% of where it was
// (limit-recovered-ms; -1 if it was not within the run). With
// LOADTEST_LIMIT_TRACE set (and -test.v) it logs the limit, requests in
// flight, scheduling latency and overload every 50 ms from the burst on,
// and the others' and the flooder's shed share every 100 ms.
// LOADTEST_BURST_OTHERS, for experiments, sets the others' load as a share
// of the capacity instead of 0.6.
func BenchmarkScenarioBurst(b *testing.B) {
	for range b.N {
		w := newWorld(b, simulation{preset: "healthy"}, "TRUSTED_PROXIES=127.0.0.1/32", "CLIENT_IP_HEADER=X-Forwarded-For")
		plain := graphqlRequest(w.gatewayURL, dashboardQuery, users(10000))
		from := func(addr func() string) func() *http.Request {
			return func() *http.Request {
				r := plain()
				r.Header.Set("X-Forwarded-For", addr())
				return r
			}
		}
		var next int
		var mu sync.Mutex
		others := from(func() string {
			mu.Lock()
			defer mu.Unlock()
			next = (next + 1) % 240
			return fmt.Sprintf("10.0.%d.%d", next/200, next%200+1)
		})
		flooder := from(func() string { return "10.9.9.9" })
		warm(b, others)
		c := capacity(others)
		b.ReportMetric(c, "capacity/s")

		const d, burstFrom, burstFor = 8 * time.Second, 2 * time.Second, time.Second
		start := time.Now().Add(100 * time.Millisecond)
		var limits []limitAt
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { limits = watchLimit(ctx, w.adminURL+"/metrics", start) })
		var bg, burst []timed
		cpu := cpuShares(b, w)
		share := 0.6
		if v, err := strconv.ParseFloat(os.Getenv("LOADTEST_BURST_OTHERS"), 64); err == nil && v > 0 {
			share = v // for experiments: the others' load as a share of the capacity
		}
		wg.Go(func() { bg = openLoopAt(start, int(share*c), d, others) })
		wg.Go(func() { burst = openLoopAt(start.Add(burstFrom), int(1.5*c), burstFor, flooder) })
		go func() { time.Sleep(d + 2*time.Second); stop() }() // the watch outlasts the run by 2 s
		wg.Wait()
		cpu("")

		shedShare := func(ts []timed, from, to time.Duration) float64 {
			var n, shed float64
			for _, t := range ts {
				if t.at >= from && t.at < to {
					n++
					if t.o.status == http.StatusServiceUnavailable {
						shed++
					}
				}
			}
			return 100 * shed / max(n, 1)
		}
		b.ReportMetric(shedShare(bg, 0, burstFrom), "others-shed-before-%")
		b.ReportMetric(shedShare(bg, burstFrom, burstFrom+burstFor), "others-shed-during-%")
		b.ReportMetric(shedShare(bg, burstFrom+burstFor, d), "others-shed-after-%")
		b.ReportMetric(shedShare(burst, 0, d), "flooder-shed-%")
		var ok []time.Duration
		for _, t := range bg {
			if t.o.err == nil && t.o.status == http.StatusOK {
				ok = append(ok, t.o.latency)
			}
		}
		b.ReportMetric(float64(percentile(ok, 0.99).Microseconds())/1000, "others-ok-p99-ms")

		before, lowest := 0.0, 1e9
		for _, l := range limits {
			switch {
			case l.at < burstFrom:
				before = max(before, l.limit)
			case l.at < burstFrom+burstFor+time.Second:
				lowest = min(lowest, l.limit)
			}
		}
		b.ReportMetric(before, "limit-before")
		b.ReportMetric(lowest, "limit-lowest")
		recovered := -1.0
		for i, l := range limits {
			if l.at < burstFrom+burstFor {
				continue
			}
			back := true
			for _, m := range limits[i:] {
				back = back && m.limit >= 0.9*before
			}
			if back {
				recovered = float64((l.at - burstFrom - burstFor).Milliseconds())
				break
			}
		}
		b.ReportMetric(recovered, "limit-recovered-ms")
		if os.Getenv("LOADTEST_LIMIT_TRACE") != "" { // for experiments: the limit from the burst on (run with -test.v)
			var trace strings.Builder
			for _, l := range limits {
				if l.at >= burstFrom-200*time.Millisecond {
					fmt.Fprintf(&trace, "%5dms limit %4.0f in flight %4.0f lag %6.1fms busy %v\n",
						l.at.Milliseconds(), l.limit, l.inFlight, float64(l.lag.Microseconds())/1000, l.busy)
				}
			}
			for from := burstFrom - 200*time.Millisecond; from < burstFrom+burstFor+500*time.Millisecond; from += 100 * time.Millisecond {
				fmt.Fprintf(&trace, "%5dms others shed %4.1f%% flooder %4.1f%%\n", from.Milliseconds(),
					shedShare(bg, from, from+100*time.Millisecond), shedShare(burst, from-burstFrom, from-burstFrom+100*time.Millisecond)) // the flooder's times are from the burst's start
			}
			b.Logf("the limit from 200 ms before the burst, and who was shed:\n%s", trace.String())
		}
	}
}

// timed is an outcome and when its request was sent, from the start.
type timed struct {
	at time.Duration
	o  outcome
}

// openLoopAt is openLoop from start, keeping when each request was sent.
func openLoopAt(start time.Time, rate int, d time.Duration, request func() *http.Request) []timed {
	n := int(float64(rate) * d.Seconds())
	out := make([]timed, n)
	interval := time.Second / time.Duration(rate)
	var wg sync.WaitGroup
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait) // the schedule itself
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			at := time.Since(start)
			out[i] = timed{at: at, o: send(ctx, request())}
		})
	}
	wg.Wait()
	return out
}

// limitAt is the gateway's concurrency limit at a time from the start.
type limitAt struct {
	at              time.Duration
	limit, inFlight float64
	lag             time.Duration // scheduling latency in the last interval
	busy            bool          // overloaded
}

// watchLimit reads the gateway's limit, requests in flight, scheduling
// latency and whether it is overloaded from its metrics every 50 ms until
// ctx ends.
func watchLimit(ctx context.Context, url string, start time.Time) []limitAt {
	var out []limitAt
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
		if m, err := scrape(url); err == nil {
			if n, ok := m["gateway_overload_limit"]; ok {
				out = append(out, limitAt{at: time.Since(start), limit: n, inFlight: m["gateway_overload_in_flight"],
					lag: time.Duration(m["gateway_sched_latency_seconds"] * 1e9), busy: m["gateway_overloaded"] == 1})
			}
		}
	}
}
