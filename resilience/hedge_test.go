package resilience

import (
	"context"
	"math"
	"math/rand/v2"
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

// The adaptive delay is the latency percentile the hedge budget affords:
// the calls slower than it are fewer than the budget, and they are the
// stragglers first, on a log-normal body as on a uniform one.
func TestAdaptiveHedgeDelay(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lognormal := func() time.Duration { // median 20ms, σ 0.5
		return time.Duration(float64(20*time.Millisecond) * math.Exp(0.5*r.NormFloat64()))
	}
	uniform := func() time.Duration { return 15*time.Millisecond + time.Duration(r.Int64N(int64(10*time.Millisecond))) }
	withTail := func(body func() time.Duration) func() time.Duration {
		return func() time.Duration {
			if r.Float64() < 0.02 {
				return 800 * time.Millisecond
			}
			return body()
		}
	}
	tests := []struct {
		name    string
		ratio   float64
		latency func() time.Duration
	}{
		{"log-normal body, 2% at 800ms", 0.05, withTail(lognormal)},
		{"uniform body, 2% at 800ms", 0.05, withTail(uniform)},
		{"log-normal, no tail", 0.05, lognormal},
		{"log-normal, 2% at 800ms, a 20% budget", 0.2, withTail(lognormal)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestService(Policy{HedgeAdaptive: true, HedgeRatio: tt.ratio})
			if d, ok := s.hedgeDelay(); !ok || d != DefaultHedgeStart {
				t.Errorf("no latencies seen: delay %v, %v; want DefaultHedgeStart until enough samples", d, ok)
			}
			// Too few latencies for a high quantile: a straggler among the
			// first would be the delay, and nothing would be hedged.
			for range 49 {
				s.latency.observe(20 * time.Millisecond)
			}
			s.latency.observe(800 * time.Millisecond)
			if d, ok := s.hedgeDelay(); 50*(1-s.hedgeQuantile()) < minAbove && (!ok || d != DefaultHedgeStart) {
				t.Errorf("50 latencies, one straggler: delay %v, %v; want DefaultHedgeStart until enough samples", d, ok)
			}
			s.latency = latencies{}
			seen := make([]time.Duration, 2000)
			for i := range seen {
				seen[i] = tt.latency()
				s.latency.observe(seen[i])
			}
			d, ok := s.hedgeDelay()
			if !ok {
				t.Fatal("no delay after 2000 latencies")
			}
			over := 0
			for _, l := range seen {
				if l > d {
					over++
				}
			}
			// At most the budget's planned share (80% of it) passes the
			// delay, give or take a bucket's width; the 2% at 800ms all do.
			share := float64(over) / float64(len(seen))
			if planned := tt.ratio * hedgeMargin; share > planned || share < 0.7*planned {
				t.Errorf("delay %v: %.2f%% of calls pass it; want a little under %.0f%% of the budget (%.2f%%)", d, 100*share, 100*hedgeMargin, 100*planned)
			}
			if d >= 800*time.Millisecond {
				t.Errorf("delay %v: the stragglers at 800ms would not be hedged", d)
			}
		})
	}
}

// The rule before this one, max(p95, 2·median), let 7% of log-normal calls
// (σ 0.5) pass it with a 5% budget. This guards the quantile against a
// return to it: with the default budget, the delay is the p96.
func TestHedgeQuantileFollowsTheBudget(t *testing.T) {
	for _, tt := range []struct {
		ratio, want float64
	}{{0.05, 0.96}, {0.1, 0.92}, {0.2, 0.84}} {
		s, _ := newTestService(Policy{HedgeAdaptive: true, HedgeRatio: tt.ratio})
		if got := s.hedgeQuantile(); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("ratio %v: quantile %v; want %v", tt.ratio, got, tt.want)
		}
	}
}

// A first attempt cut short by a winning hedge still counts, with the time
// it had taken: else the stragglers hedged would vanish from the
// latencies, the delay would fall into the body, more calls than planned
// would pass it, and the budget would run out before the stragglers.
func TestHedgedStragglersStillCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{HedgeAdaptive: true, Attempts: 1})
		r := rand.New(rand.NewPCG(3, 4))
		const calls = 4000
		stragglers := 0
		for range calls {
			var attempts atomic.Int32
			d := time.Duration(float64(20*time.Millisecond) * math.Exp(0.5*r.NormFloat64()))
			hedgeD := time.Duration(float64(20*time.Millisecond) * math.Exp(0.5*r.NormFloat64()))
			if r.Float64() < 0.02 {
				d = 800 * time.Millisecond
				stragglers++
			}
			call := func(ctx context.Context) (string, error) {
				wait := d
				if attempts.Add(1) > 1 {
					wait = hedgeD
				}
				select {
				case <-time.After(wait):
					return "ok", nil
				case <-ctx.Done():
					return "", ctx.Err()
				}
			}
			if _, err := Do(context.Background(), s, "", call); err != nil {
				t.Fatal(err)
			}
		}
		hedged, refused := rec.count(Hedged), rec.count(HedgeNoBudget)
		t.Logf("%d calls, %d stragglers: %d hedged, %d refused for want of budget", calls, stragglers, hedged, refused)
		if share := float64(hedged) / calls; share > 0.045 {
			t.Errorf("%.1f%% of calls hedged; want under the 4%% planned (and the 5%% budget)", 100*share)
		}
		if refused > stragglers/4 { // 9 of 78 here; 49 without counting the cut-short attempts
			t.Errorf("%d hedges refused for want of budget (%d stragglers): the budget ran out", refused, stragglers)
		}
	})
}

// The latencies' quantiles are their bucket's upper bound: never under the
// true value, at most 5% over it.
func TestLatencyQuantile(t *testing.T) {
	for _, d := range []time.Duration{150 * time.Microsecond, 3 * time.Millisecond, 20 * time.Millisecond, 800 * time.Millisecond, 30 * time.Second} {
		var l latencies
		for range 100 {
			l.observe(d)
		}
		got, ok := l.quantile(0.5)
		if !ok || got < d || float64(got) > 1.05*float64(d) {
			t.Errorf("%v: median %v, %v; want within [%v, +5%%]", d, got, ok, d)
		}
	}
	var l latencies
	if _, ok := l.quantile(0.5); ok {
		t.Error("a quantile of no latencies")
	}
	// Old latencies fall out a window at a time.
	for range latencyWindow {
		l.observe(time.Second)
	}
	for range 2 * latencyWindow {
		l.observe(time.Millisecond)
	}
	if got, _ := l.quantile(0.99); got > 2*time.Millisecond {
		t.Errorf("p99 %v two windows after the 1s latencies; want them forgotten", got)
	}
}
