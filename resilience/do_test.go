package resilience

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestRetry(t *testing.T) {
	tests := []struct {
		name     string
		policy   Policy
		errs     []error
		want     error // nil: success
		attempts int
		reason   string
	}{
		{"success", Policy{}, nil, nil, 1, ""},
		{"retryable then success", Policy{}, []error{errRetryable}, nil, 2, ""},
		{"not retryable", Policy{}, []error{errBroken}, errBroken, 1, ""},
		{"4xx not retried", Policy{}, []error{errNotFound}, errNotFound, 1, ""},
		{"attempts cap", Policy{Attempts: 3}, []error{errRetryable, errRetryable, errRetryable}, errRetryable, 3, ""},
		{"retries off", Policy{Attempts: 1}, []error{errRetryable}, errRetryable, 1, ""},
		{"Retry-After beyond the deadline", Policy{}, []error{&failure{retry: true, fail: true, after: time.Minute}}, nil, 1, "no time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, rec := newTestService(tt.policy)
				call, n := script(tt.errs...)
				ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
				defer cancel()
				v, err := Do(ctx, s, "", call)
				if tt.reason == "no time" {
					tt.want, tt.reason = tt.errs[0], ""
				}
				if !errors.Is(err, tt.want) || (tt.want == nil && v != "ok") {
					t.Errorf("Do = %q, %v; want %v", v, err, tt.want)
				}
				if *n != tt.attempts {
					t.Errorf("%d attempts; want %d", *n, tt.attempts)
				}
				if rep, _ := ReportOf(err); err != nil && (rep.Attempts != tt.attempts || rep.Reason != tt.reason) {
					t.Errorf("report %+v; want %d attempts, reason %q", rep, tt.attempts, tt.reason)
				}
				if got := rec.count(Retried); got != tt.attempts-1 {
					t.Errorf("%d retried decisions; want %d", got, tt.attempts-1)
				}
			})
		})
	}
}

// Retries wait a jittered backoff, or the service's Retry-After when longer.
func TestRetryWaits(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"backoff with jitter", errRetryable, 12500 * time.Microsecond}, // half (the test jitter) of 25ms
		{"Retry-After", &failure{retry: true, fail: true, after: 300 * time.Millisecond}, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, _ := newTestService(Policy{})
				var times []time.Time
				call := func(context.Context) (string, error) {
					times = append(times, time.Now())
					if len(times) == 1 {
						return "", tt.err
					}
					return "ok", nil
				}
				ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
				defer cancel()
				if _, err := Do(ctx, s, "", call); err != nil {
					t.Fatal(err)
				}
				if got := times[1].Sub(times[0]); got != tt.want {
					t.Errorf("waited %v between attempts; want %v", got, tt.want)
				}
			})
		})
	}
}

// A retry is made only when the time left covers another attempt.
func TestRetryNeedsTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Timeout: 400 * time.Millisecond})
		call, n := script(errRetryable, errRetryable)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond) // < the 400ms a new attempt may need
		defer cancel()
		_, err := Do(ctx, s, "", call)
		if *n != 1 || rec.count(RetryNoTime) != 1 {
			t.Errorf("%d attempts, %d retry_no_time; want 1 and 1 (err %v)", *n, rec.count(RetryNoTime), err)
		}
	})
}

// The retry budget lets at most max(RetryMin, RetryRatio × calls) retries
// through per window; the window moves with the injected clock.
func TestRetryBudget(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rec := &recorder{}
	s := NewService("svc", Policy{RetryRatio: 0.2, RetryMin: 3, Backoff: time.Nanosecond, BackoffMax: time.Nanosecond, BreakerConsecutive: 1000, BreakerMinCalls: 1000},
		Options{Classify: testClassify, Observer: rec, Now: func() time.Time { return now }, Jitter: func() float64 { return 0 }})
	failing := func(context.Context) (string, error) { return "", errRetryable }
	do := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := Do(ctx, s, "", failing)
		return err
	}
	for range 10 { // 10 calls: the floor of 3 retries applies (20% of 10 is 2)
		_ = do()
	}
	if got := rec.count(Retried); got != 3 {
		t.Errorf("%d retries for 10 failing calls; want the floor of 3", got)
	}
	err := do()
	if rep, _ := ReportOf(err); rep.Reason != "retry_budget_exhausted" || rep.Attempts != 1 {
		t.Errorf("report %+v; want one attempt and retry_budget_exhausted", rep)
	}
	for range 19 { // 30 calls in the window: 20% allows 6 retries
		_ = do()
	}
	if got := rec.count(Retried); got != 6 {
		t.Errorf("%d retries for 30 failing calls; want 6 (20%%)", got)
	}
	now = now.Add(11 * time.Second) // the window has passed: the floor again
	for range 5 {
		_ = do()
	}
	if got := rec.count(Retried); got != 9 {
		t.Errorf("%d retries after the window moved; want 6+3", got)
	}
}

// An attempt that outlives its timeout ends with ErrAttemptTimeout as its
// context's cause, and is retried; the request deadline still wins.
func TestAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Timeout: 100 * time.Millisecond, Attempts: 3})
		var causes []error
		call := func(ctx context.Context) (string, error) {
			<-ctx.Done()
			causes = append(causes, context.Cause(ctx))
			return "", context.Cause(ctx)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Do(ctx, s, "", call)
		if len(causes) < 2 || !errors.Is(causes[0], ErrAttemptTimeout) {
			t.Fatalf("causes %v; want attempt timeouts, retried", causes)
		}
		if elapsed := time.Since(start); elapsed > 250*time.Millisecond {
			t.Errorf("Do took %v; want the request deadline (250ms) at most", elapsed)
		}
		if rec.count(TimedOut) < 2 || err == nil {
			t.Errorf("timeouts %d, err %v", rec.count(TimedOut), err)
		}
	})
}

// The bulkhead refuses attempts beyond MaxInFlight at once.
func TestBulkhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{MaxInFlight: 2, Attempts: 1})
		release := make(chan struct{})
		blocked := func(context.Context) (string, error) { <-release; return "ok", nil }
		ctx := context.Background()
		for range 2 {
			go Do(ctx, s, "", blocked) //nolint:errcheck // released below
		}
		synctest.Wait() // both hold their slot
		if s.InFlight() != 2 {
			t.Fatalf("in flight %d; want 2", s.InFlight())
		}
		called := false
		_, err := Do(ctx, s, "", func(context.Context) (string, error) { called = true; return "ok", nil })
		if !errors.Is(err, ErrBulkheadFull) || called || rec.count(Shed) != 1 {
			t.Errorf("third call: %v (called %v, shed %d); want ErrBulkheadFull at once", err, called, rec.count(Shed))
		}
		close(release)
		synctest.Wait()
		if _, err := Do(ctx, s, "", blocked); err != nil {
			t.Errorf("after the others finished: %v", err)
		}
	})
}

// With the layers off, a call is made once, as it is.
func TestLayersOff(t *testing.T) {
	s, rec := newTestService(Policy{Off: true})
	call, n := script(errRetryable)
	_, err := Do(context.Background(), s, "k", call)
	if !errors.Is(err, errRetryable) || *n != 1 || rec.count(Retried) != 0 {
		t.Errorf("err %v after %d attempts; want the first failure as is", err, *n)
	}
	if _, ok := ReportOf(err); ok {
		t.Error("a report on an unlayered call")
	}
}

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
