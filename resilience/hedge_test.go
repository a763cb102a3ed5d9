package resilience

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// A slow attempt gets a hedge after the delay; the first good answer wins
// and the other attempt is cancelled.
func TestHedge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Hedge: 20 * time.Millisecond, Attempts: 1})
		var n atomic.Int32
		var loserCancelled atomic.Bool
		call := func(ctx context.Context) (string, error) {
			if n.Add(1) == 1 { // the first attempt hangs until cancelled
				<-ctx.Done()
				loserCancelled.Store(true)
				return "", ctx.Err()
			}
			time.Sleep(5 * time.Millisecond)
			return "hedge", nil // the first attempt is cancelled when this wins
		}
		start := time.Now()
		v, err := Do(context.Background(), s, "", call)
		if v != "hedge" || err != nil || time.Since(start) != 25*time.Millisecond {
			t.Errorf("Do = %q, %v after %v; want the hedge's answer after 20+5ms", v, err, time.Since(start))
		}
		synctest.Wait()
		if !loserCancelled.Load() || rec.count(Hedged) != 1 || rec.count(HedgeWon) != 1 {
			t.Errorf("loser cancelled %v, hedged %d, won %d; want true, 1, 1", loserCancelled.Load(), rec.count(Hedged), rec.count(HedgeWon))
		}
	})
}

// A fast answer sends no hedge.
func TestNoHedgeWhenFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Hedge: 20 * time.Millisecond})
		call, n := script()
		if _, err := Do(context.Background(), s, "", call); err != nil || *n != 1 || rec.count(Hedged) != 0 {
			t.Errorf("err %v, %d attempts, %d hedges; want one attempt, no hedge", err, *n, rec.count(Hedged))
		}
	})
}

// Hedges are capped at HedgeRatio of recent calls (at least HedgeMin per
// window).
func TestHedgeBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Hedge: time.Millisecond, HedgeRatio: 0.1, HedgeMin: 1, Attempts: 1})
		slow := func(ctx context.Context) (string, error) {
			select {
			case <-time.After(10 * time.Millisecond):
				return "ok", nil
			case <-ctx.Done(): // the loser of a hedge
				return "", ctx.Err()
			}
		}
		for range 40 {
			if _, err := Do(context.Background(), s, "", slow); err != nil {
				t.Fatal(err)
			}
		}
		if got := rec.count(Hedged); got != 4 {
			t.Errorf("%d hedges for 40 slow calls; want 4 (10%%)", got)
		}
		if rec.count(HedgeNoBudget) != 36 {
			t.Errorf("%d refused hedges; want 36", rec.count(HedgeNoBudget))
		}
	})
}

// The adaptive delay follows the service's recent p95 latency, but is never
// less than twice the median.
func TestAdaptiveHedgeDelay(t *testing.T) {
	tests := []struct {
		name    string
		latency func(i int) time.Duration // of sample i of 100
		want    time.Duration
	}{
		{"spread out: the p95", func(i int) time.Duration { return time.Duration(i*i) * time.Millisecond / 10 }, 902500 * time.Microsecond},
		{"tight with a tail: twice the median", func(i int) time.Duration {
			if i > 97 {
				return 800 * time.Millisecond
			}
			return 20 * time.Millisecond
		}, 40 * time.Millisecond},
	}
	for _, tt := range tests {
		s, _ := newTestService(Policy{HedgeAdaptive: true})
		if d, ok := s.hedgeDelay(); !ok || d != DefaultHedgeStart {
			t.Errorf("no latencies seen: delay %v, %v; want DefaultHedgeStart until enough samples", d, ok)
		}
		for i := 1; i <= 100; i++ {
			s.latency.observe(tt.latency(i))
		}
		if d, ok := s.hedgeDelay(); !ok || d != tt.want {
			t.Errorf("%s: delay %v, %v; want %v", tt.name, d, ok, tt.want)
		}
	}
}
