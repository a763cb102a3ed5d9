package overload

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestAdapt(t *testing.T) {
	l := New(Options{Initial: 100, Min: 8, Max: 200, Target: 10 * time.Millisecond, Lag: func() time.Duration { return 0 }})
	const quiet, slowish, slow = time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond
	steps := []struct {
		name           string
		arrive, finish int // requests admitted and finished during the interval
		lag            time.Duration
		wantLimit      int
		wantBusy       bool
	}{
		{"quiet, little in use: stays", 10, 0, quiet, 100, false},
		{"quiet, mostly in use: grows by a tenth", 80, 0, quiet, 110, false},
		{"slow, queue steady", 20, 20, slow, 110, false},
		{"slow, queue steady", 20, 20, slow, 110, false},
		{"slow three times, queue steady: a busy machine, not an overload", 20, 20, slow, 110, false},
		{"quiet: grows", 0, 0, quiet, 121, false},
		{"a little slow, queue growing", 2, 0, slowish, 121, false},
		{"a little slow, queue growing", 2, 0, slowish, 121, false},
		{"a little slow three times, queue growing: a burst, not an overload", 2, 0, slowish, 121, false},
		{"quiet", 0, 6, quiet, 121, false},
		{"slow, queue growing", 10, 5, slow, 121, false},
		{"slow, queue growing", 10, 5, slow, 121, false},
		{"slow three times, queue growing: overloaded, 80% of the most in flight", 10, 5, slow, 88, true},
		{"still slow: down again", 0, 0, slow, 70, true},
		{"quiet: no longer, and growing", 0, 100, quiet, 77, false},
		{"slow, queue growing, soon after: overloaded at once", 20, 0, slow, 20, true},
		{"still slow", 0, 20, slow, 16, true},
		{"never under Min", 0, 0, slow, 8, true},
	}
	inFlight := 0
	for _, s := range steps {
		for range s.arrive {
			if !l.Acquire() {
				t.Fatalf("%s: refused at %d in flight under a limit of %d", s.name, inFlight, l.limit.Load())
			}
			inFlight++
		}
		for range s.finish {
			l.Release()
			inFlight--
		}
		l.Adapt(s.lag)
		if got := l.Stats(); got.Limit != s.wantLimit || got.Busy != s.wantBusy {
			t.Errorf("%s: limit %d, busy %v; want %d, %v", s.name, got.Limit, got.Busy, s.wantLimit, s.wantBusy)
		}
	}
}

// Past the limit a request is refused at once, and counted.
func TestAcquirePastTheLimit(t *testing.T) {
	l := New(Options{Initial: 2, Min: 1, Lag: func() time.Duration { return 0 }})
	if !l.Acquire() || !l.Acquire() {
		t.Fatal("refused under the limit")
	}
	if l.Acquire() {
		t.Fatal("admitted past the limit")
	}
	l.Release()
	if !l.Acquire() {
		t.Fatal("refused after a release")
	}
	if s := l.Stats(); s.InFlight != 2 || s.Shed != 1 {
		t.Errorf("stats %+v; want 2 in flight, 1 shed", s)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	l := New(Options{Interval: time.Millisecond, Lag: func() time.Duration { return time.Second }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	cancel()
	<-done
}

func TestPercentile(t *testing.T) {
	buckets := []float64{0, 0.001, 0.01, 0.1, math.Inf(1)}
	tests := []struct {
		counts []uint64
		want   time.Duration
	}{
		{[]uint64{0, 0, 0, 0}, 0},
		{[]uint64{100, 0, 0, 0}, time.Millisecond},
		{[]uint64{98, 1, 1, 0}, 10 * time.Millisecond},
		{[]uint64{97, 1, 2, 0}, 100 * time.Millisecond},
		{[]uint64{990, 10, 0, 0}, time.Millisecond},
		{[]uint64{980, 0, 0, 20}, 100 * time.Millisecond}, // the last bucket is open: its lower bound
	}
	for _, tt := range tests {
		var total uint64
		for _, c := range tt.counts {
			total += c
		}
		if got := percentile(buckets, tt.counts, total, 0.99); got != tt.want {
			t.Errorf("p99 of %v = %v; want %v", tt.counts, got, tt.want)
		}
	}
}

// The runtime's scheduling latency is read, and reads as little while
// nothing waits to run.
func TestSchedLatency(t *testing.T) {
	lag := SchedLatency(0.99)
	lag()
	if d := lag(); d > time.Second {
		t.Errorf("scheduling latency %v on a test process; want a small one", d)
	}
}
