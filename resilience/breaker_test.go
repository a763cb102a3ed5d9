package resilience

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// The breaker's life cycle, on gobreaker's clock (faked by synctest): it
// opens on failures, refuses calls at once while open, lets a probe through
// when half-open, and closes when the probe succeeds.
func TestBreakerLifeCycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{Attempts: 1, BreakerConsecutive: 3, BreakerOpen: 5 * time.Second})
		ctx := context.Background()
		failing := func(context.Context) (string, error) { return "", errBroken }
		ok := func(context.Context) (string, error) { return "ok", nil }

		for range 3 {
			Do(ctx, s, "", failing) //nolint:errcheck // failing on purpose
		}
		if s.BreakerState() != "open" {
			t.Fatalf("after 3 failures: %s; want open", s.BreakerState())
		}
		called := false
		_, err := Do(ctx, s, "", func(context.Context) (string, error) { called = true; return "ok", nil })
		if !errors.Is(err, ErrCircuitOpen) || called || rec.count(ShortCircuited) != 1 {
			t.Errorf("while open: %v, called %v; want ErrCircuitOpen without a call", err, called)
		}

		time.Sleep(5*time.Second + time.Millisecond) // fake time: the open period passes
		if s.BreakerState() != "half-open" {
			t.Fatalf("after the open period: %s; want half-open", s.BreakerState())
		}
		if _, err := Do(ctx, s, "", failing); !errors.Is(err, errBroken) || s.BreakerState() != "open" {
			t.Errorf("failed probe: %v, %s; want the failure and open again", err, s.BreakerState())
		}
		time.Sleep(5*time.Second + time.Millisecond)
		if v, err := Do(ctx, s, "", ok); v != "ok" || err != nil || s.BreakerState() != "closed" {
			t.Errorf("good probe: %q, %v, %s; want ok and closed", v, err, s.BreakerState())
		}
		want := []string{"closed->open", "open->half-open", "half-open->open", "open->half-open", "half-open->closed"}
		if !slices.Equal(rec.changes, want) {
			t.Errorf("state changes %v; want %v", rec.changes, want)
		}
	})
}

// What counts against the breaker: failures do; answers such as 404 and our
// own cancellations do not.
func TestBreakerCounts(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		trips bool
	}{
		{"5xx-like failure", errBroken, true},
		{"retryable failure", errRetryable, true},
		{"not found", errNotFound, false},
		{"our cancellation", errOurs, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestService(Policy{Attempts: 1, BreakerConsecutive: 5, BreakerMinCalls: 1000})
			for range 10 {
				Do(context.Background(), s, "", func(context.Context) (string, error) { return "", tt.err }) //nolint:errcheck // on purpose
			}
			if open := s.BreakerState() == "open"; open != tt.trips {
				t.Errorf("after 10 × %s: %s; want open = %v", tt.name, s.BreakerState(), tt.trips)
			}
		})
	}
}

// The ratio rule: enough calls in the window, and that share failed.
func TestBreakerRatio(t *testing.T) {
	s, _ := newTestService(Policy{Attempts: 1, BreakerMinCalls: 10, BreakerRatio: 0.5, BreakerConsecutive: 100})
	ctx := context.Background()
	for i := range 9 { // alternating: never 2 failures in a row, 4 of 9 failed
		err := error(nil)
		if i%2 == 1 {
			err = errBroken
		}
		Do(ctx, s, "", func(context.Context) (string, error) { return "", err }) //nolint:errcheck // on purpose
	}
	if s.BreakerState() != "closed" {
		t.Fatalf("after 9 calls: %s; want closed (too few calls)", s.BreakerState())
	}
	Do(ctx, s, "", func(context.Context) (string, error) { return "", errBroken }) //nolint:errcheck // on purpose
	if s.BreakerState() != "open" {
		t.Errorf("after 10 calls, 5 failed: %s; want open", s.BreakerState())
	}
}
