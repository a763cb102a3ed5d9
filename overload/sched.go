package overload

import (
	"math"
	"runtime/metrics"
	"time"
)

// SchedLatency returns a func that reports the q-quantile of how long
// goroutines waited to run (runnable, not running) since its previous call,
// from the runtime's /sched/latencies:seconds histogram. It is not safe for
// concurrent use: one Limiter calls it.
func SchedLatency(q float64) func() time.Duration {
	sample := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	var last []uint64
	return func() time.Duration {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
			return 0
		}
		h := sample[0].Value.Float64Histogram()
		delta := make([]uint64, len(h.Counts))
		var total uint64
		for i, c := range h.Counts {
			if i < len(last) {
				c -= last[i]
			}
			delta[i] = c
			total += c
		}
		last = append(last[:0], h.Counts...)
		return percentile(h.Buckets, delta, total, q)
	}
}

// percentile returns the upper bound of the bucket that holds the p-th
// quantile of counts (bucket i is [buckets[i], buckets[i+1])).
func percentile(buckets []float64, counts []uint64, total uint64, p float64) time.Duration {
	if total == 0 {
		return 0
	}
	want := uint64(math.Ceil(p * float64(total)))
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= want {
			upper := buckets[i+1]
			if math.IsInf(upper, 1) {
				upper = buckets[i]
			}
			return time.Duration(upper * float64(time.Second))
		}
	}
	return 0
}

// RunnableGoroutines reads how many goroutines wait to run now, from the
// runtime's /sched/goroutines/runnable:goroutines (approximate: the run
// queues are not read at one instant).
func RunnableGoroutines() int {
	sample := [1]metrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}}
	metrics.Read(sample[:])
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int(sample[0].Value.Uint64())
}
