package resilience

import (
	"math"
	"sync"
	"time"
)

// latencies keeps a service's recent attempt latencies in log-spaced
// buckets and answers their quantiles. Observing is O(1); the recent past
// is two windows of latencyWindow samples each (the current one and the
// one before), so a quantile always rests on between one and two windows
// and old latencies fall out a window at a time. The quantiles asked for
// most often (the hedge delay, the p95) are recomputed every few samples
// rather than per question.
type latencies struct {
	mu        sync.Mutex
	cur, prev [latencyBuckets]uint32
	n, nPrev  int // samples in cur and prev
	sinceQ    int
	cached    map[float64]time.Duration
}

const (
	// latencyWindow is the samples of one window.
	latencyWindow = 1024
	// minSamples is how many latencies must be seen before a quantile
	// means anything, and minAbove how many must lie above a high one:
	// the p96 of 25 latencies is their slowest, and one straggler among a
	// service's first calls would be the hedge delay.
	minSamples = 20
	minAbove   = 5
	// recomputeEvery is how many new samples make the cached quantiles
	// stale.
	recomputeEvery = 16
	// Buckets grow by latencyGrowth from latencyBase: bucket i holds
	// [base·growth^i, base·growth^(i+1)); the first also holds everything
	// shorter and the last everything longer. A quantile is its bucket's
	// upper bound, at most 5% over the true value: 100µs to over a minute
	// in 280 buckets.
	latencyBase    = 100 * time.Microsecond
	latencyGrowth  = 1.05
	latencyBuckets = 280
)

// logGrowth is ln(latencyGrowth), for bucketOf.
var logGrowth = math.Log(latencyGrowth)

// bucketOf returns the bucket that holds d.
func bucketOf(d time.Duration) int {
	if d <= latencyBase {
		return 0
	}
	i := int(math.Log(float64(d)/float64(latencyBase)) / logGrowth)
	return min(i, latencyBuckets-1)
}

// upperBound returns the upper bound of bucket i.
func upperBound(i int) time.Duration {
	return time.Duration(float64(latencyBase) * math.Pow(latencyGrowth, float64(i+1)))
}

func (l *latencies) observe(d time.Duration) {
	b := bucketOf(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == latencyWindow {
		l.prev, l.nPrev = l.cur, l.n
		l.cur, l.n = [latencyBuckets]uint32{}, 0
	}
	l.cur[b]++
	l.n++
	l.sinceQ++
}

// quantile returns the recent q-quantile (0 < q < 1) and whether enough
// samples back it.
func (l *latencies) quantile(q float64) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	total := l.n + l.nPrev
	if total < minSamples || float64(total)*(1-q) < minAbove {
		return 0, false
	}
	if l.sinceQ >= recomputeEvery {
		clear(l.cached)
		l.sinceQ = 0
	}
	if d, ok := l.cached[q]; ok {
		return d, true
	}
	want := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	d := upperBound(latencyBuckets - 1)
	for i := range latencyBuckets {
		seen += uint64(l.cur[i]) + uint64(l.prev[i])
		if seen >= want {
			d = upperBound(i)
			break
		}
	}
	if l.cached == nil {
		l.cached = make(map[float64]time.Duration, 2)
	}
	l.cached[q] = d
	return d, true
}

// percentile95 returns the recent p95 and whether enough samples back it.
func (l *latencies) percentile95() (time.Duration, bool) {
	return l.quantile(0.95)
}
