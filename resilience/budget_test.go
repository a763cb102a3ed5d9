package resilience

import (
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	b := newBudget(0.5, 1, func() time.Time { return now })
	if !b.spend() || b.spend() {
		t.Fatal("with no calls: want exactly the floor of 1")
	}
	for range 10 {
		b.call()
	}
	spent := 1
	for b.spend() {
		spent++
	}
	if spent != 5 {
		t.Errorf("spent %d with 10 calls at 50%%; want 5", spent)
	}
	now = now.Add(5 * time.Second) // half the window: all still counted
	if b.spend() {
		t.Error("spent more within the window")
	}
	now = now.Add(6 * time.Second) // the first calls have left the window
	if !b.spend() || b.spend() {
		t.Error("after the window: want the floor again")
	}
}

func TestPercentile95(t *testing.T) {
	var l latencies
	for i := 1; i < minSamples; i++ {
		l.observe(time.Millisecond)
	}
	if _, ok := l.percentile95(); ok {
		t.Error("p95 from too few samples")
	}
	for i := 0; i < 1000; i++ {
		l.observe(time.Duration(i%100+1) * time.Millisecond)
	}
	p, ok := l.percentile95()
	if !ok || p < 90*time.Millisecond || p > 100*time.Millisecond {
		t.Errorf("p95 = %v, %v; want about 95ms", p, ok)
	}
}
