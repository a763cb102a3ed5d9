package resilience

import (
	"slices"
	"sync"
	"time"
)

// latencies keeps a service's recent attempt latencies and answers their
// 95th percentile, recomputed every few samples rather than per question.
type latencies struct {
	mu      sync.Mutex
	ring    [latencySamples]time.Duration
	n       int // samples seen, capped at len(ring)
	next    int
	sinceP  int
	p95     time.Duration
	scratch []time.Duration
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

// percentile95 returns the recent p95 and whether enough samples back it.
func (l *latencies) percentile95() (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n < minSamples {
		return 0, false
	}
	if l.sinceP >= recomputeEvery || l.p95 == 0 {
		l.scratch = append(l.scratch[:0], l.ring[:l.n]...)
		slices.Sort(l.scratch)
		l.p95 = l.scratch[(len(l.scratch)*95+99)/100-1]
		l.sinceP = 0
	}
	return l.p95, true
}
