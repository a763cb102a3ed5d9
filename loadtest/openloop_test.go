package loadtest_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// openLoop sends rate requests per second for d, each at its scheduled
// time whether or not earlier ones were answered (as independent users
// would), and returns every outcome. It stops by itself: d and rate bound
// it, and every request gives up 10 s after it was sent.
func openLoop(rate int, d time.Duration, request func() *http.Request) []outcome {
	n := int(float64(rate) * d.Seconds())
	out := make([]outcome, n)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait) // the schedule itself: this is a load generator, not a test's synchronization
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out[i] = send(ctx, request())
		})
	}
	wg.Wait()
	return out
}

// summary is what a run of an open loop showed.
type summary struct {
	n                 int
	p50, p99, max     time.Duration // of every answer
	partial, failed   float64       // shares of all requests: 200 with errors; no answer or a status other than 200 and 503
	shed              float64       // share answered 503
	shedP99           time.Duration // p99 of the 503 answers' latency
	shedConnP99       time.Duration // p99 of the 503 answers' time to a connection
	okP99             time.Duration // p99 of the 200 answers' latency
	complete          int           // 200 without errors, within inTime
	completePerSecond float64
}

func summarize(out []outcome, d, inTime time.Duration) summary {
	s := summary{n: len(out)}
	var all, shed, shedConn, ok []time.Duration
	for _, o := range out {
		all = append(all, o.latency)
		if o.err == nil && o.status == http.StatusOK {
			ok = append(ok, o.latency)
		}
		switch {
		case o.err != nil:
			s.failed++
		case o.status == http.StatusServiceUnavailable:
			s.shed++
			shed = append(shed, o.latency)
			shedConn = append(shedConn, o.conn)
		case o.status != http.StatusOK:
			s.failed++
		case o.partial:
			s.partial++
		case o.latency <= inTime:
			s.complete++
		}
	}
	n := float64(len(out))
	s.partial, s.failed, s.shed = s.partial/n, s.failed/n, s.shed/n
	s.p50, s.p99, s.max = percentile(all, 0.5), percentile(all, 0.99), percentile(all, 1)
	s.shedP99, s.shedConnP99, s.okP99 = percentile(shed, 0.99), percentile(shedConn, 0.99), percentile(ok, 0.99)
	s.completePerSecond = float64(s.complete) / d.Seconds()
	return s
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(p*float64(len(ds)-1))]
}

// report adds a summary's figures to a benchmark's result line, each name
// prefixed (e.g. "floor-", "gw-").
func report(b *testing.B, prefix string, s summary) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(s.p50), prefix+"p50-ms")
	b.ReportMetric(ms(s.p99), prefix+"p99-ms")
	b.ReportMetric(ms(s.max), prefix+"max-ms")
	b.ReportMetric(100*s.partial, prefix+"partial-%")
	b.ReportMetric(100*s.failed, prefix+"failed-%")
	if s.shed > 0 {
		b.ReportMetric(100*s.shed, prefix+"shed-%")
		b.ReportMetric(ms(s.shedP99), prefix+"shed-p99-ms")
	}
	b.ReportMetric(s.completePerSecond, prefix+"goodput/s")
}
