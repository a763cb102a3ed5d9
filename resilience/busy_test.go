package resilience

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// While the caller is its own bottleneck, the timeouts it sees are its own
// doing: they do not open the breaker, and no retry or hedge adds load.
// Once it is not, the same failures count, retry and hedge again.
func TestBusyCallerBlamesItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := true
		rec := &recorder{}
		s := NewService("svc", Policy{Timeout: 10 * time.Millisecond, Attempts: 3, Hedge: 5 * time.Millisecond, BreakerConsecutive: 3},
			Options{Classify: testClassify, Observer: rec, Busy: func() bool { return busy }})
		hang := func(ctx context.Context) (string, error) {
			<-ctx.Done()
			return "", context.Cause(ctx) // ErrAttemptTimeout, as the downstream clients report it
		}
		for range 10 {
			if _, err := Do(context.Background(), s, "", hang); err == nil {
				t.Fatal("a hanging call succeeded")
			}
		}
		if st := s.BreakerState(); st != "closed" || rec.count(Retried) != 0 || rec.count(Hedged) != 0 || rec.count(Busy) == 0 {
			t.Errorf("busy: breaker %s, %d retries, %d hedges, %d busy decisions; want closed, none, none, some",
				st, rec.count(Retried), rec.count(Hedged), rec.count(Busy))
		}
		busy = false
		for range 3 {
			_, _ = Do(context.Background(), s, "", hang)
		}
		if st := s.BreakerState(); st != "open" || rec.count(Retried) == 0 || rec.count(Hedged) == 0 {
			t.Errorf("not busy: breaker %s, %d retries, %d hedges; want open, some, some", st, rec.count(Retried), rec.count(Hedged))
		}
	})
}
