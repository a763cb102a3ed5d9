package resilience

import (
	"slices"
	"sync"
	"time"
)

// latencies keeps a service's recent attempt latencies and answers their
// median and 95th percentile, recomputed every few samples rather than per
// question.
type latencies struct {
	mu       sync.Mutex
	ring     [latencySamples]time.Duration
	n        int // samples seen, capped at len(ring)
	next     int
	sinceP   int
	p50, p95 time.Duration
	scratch  []time.Duration
}

const (
	latencySamples = 256
	// minSamples is how many latencies must be seen before p95 means anything.
	minSamples = 20
	// recomputeEvery is how many new samples make p95 stale.
	recomputeEvery = 16
)

func (l *latencies) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = d
	l.next = (l.next + 1) % latencySamples
	l.n = min(l.n+1, latencySamples)
	l.sinceP++
}

// percentiles returns the recent p50 and p95, and whether enough samples
// back them.
func (l *latencies) percentiles() (p50, p95 time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n < minSamples {
		return 0, 0, false
	}
	if l.sinceP >= recomputeEvery || l.p95 == 0 {
		l.scratch = append(l.scratch[:0], l.ring[:l.n]...)
		slices.Sort(l.scratch)
		at := func(pct int) time.Duration { return l.scratch[(len(l.scratch)*pct+99)/100-1] }
		l.p50, l.p95 = at(50), at(95)
		l.sinceP = 0
	}
	return l.p50, l.p95, true
}

// percentile95 returns the recent p95 and whether enough samples back it.
func (l *latencies) percentile95() (time.Duration, bool) {
	_, p95, ok := l.percentiles()
	return p95, ok
}
