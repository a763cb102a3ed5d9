package resilience

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Identical calls in flight share one; each caller gets the answer.
func TestDedupe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := newTestService(Policy{})
		var calls atomic.Int32
		call := func(ctx context.Context) (string, error) {
			calls.Add(1)
			time.Sleep(10 * time.Millisecond)
			return "shared", nil
		}
		results := make(chan string, 100)
		for range 100 {
			go func() {
				v, _ := Do(context.Background(), s, "GET /v1/users/u1/wallet", call)
				results <- v
			}()
		}
		for range 100 {
			if v := <-results; v != "shared" {
				t.Fatalf("got %q; want shared", v)
			}
		}
		if calls.Load() != 1 || rec.count(Deduplicated) != 99 {
			t.Errorf("%d calls, %d deduplicated; want 1 and 99", calls.Load(), rec.count(Deduplicated))
		}
		if _, err := Do(context.Background(), s, "GET /v1/users/u2/wallet", call); err != nil || calls.Load() != 2 {
			t.Errorf("a different key: err %v, %d calls; want its own call", err, calls.Load())
		}
	})
}

// The shared call lives while anyone waits for it, even when its first
// caller has gone, and is cancelled when the last caller gives up.
func TestDedupeCancelsWhenEveryoneLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newTestService(Policy{Attempts: 1})
		var cancelled atomic.Bool
		call := func(ctx context.Context) (string, error) {
			<-ctx.Done()
			cancelled.Store(true)
			return "", ctx.Err()
		}
		first, cancelFirst := context.WithCancel(context.Background())
		second, cancelSecond := context.WithCancel(context.Background())
		done := make(chan error, 2)
		go func() { _, err := Do(first, s, "k", call); done <- err }()
		synctest.Wait() // the first caller runs the call
		go func() { _, err := Do(second, s, "k", call); done <- err }()
		synctest.Wait() // the second has joined it

		cancelFirst()
		synctest.Wait()
		if cancelled.Load() {
			t.Fatal("shared call cancelled while a caller still waits")
		}
		cancelSecond()
		for range 2 {
			if err := <-done; err == nil {
				t.Error("a caller got an answer; want its cancellation")
			}
		}
		if !cancelled.Load() {
			t.Error("shared call still running after every caller left")
		}
	})
}

// A shared call cut short by its first caller's deadline does not fail a
// caller with more time: that caller calls again.
func TestDedupeFollowerOutlivesLeader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := newTestService(Policy{Attempts: 1})
		var calls atomic.Int32
		call := func(ctx context.Context) (string, error) {
			calls.Add(1)
			select {
			case <-time.After(100 * time.Millisecond):
				return "late", nil
			case <-ctx.Done():
				return "", context.Cause(ctx)
			}
		}
		short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancelShort()
		long, cancelLong := context.WithTimeout(context.Background(), time.Second)
		defer cancelLong()
		leader := make(chan error, 1)
		go func() { _, err := Do(short, s, "k", call); leader <- err }()
		synctest.Wait()
		v, err := Do(long, s, "k", call)
		if v != "late" || err != nil {
			t.Errorf("follower: %q, %v; want the answer of its own call", v, err)
		}
		if err := <-leader; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("leader: %v; want its deadline", err)
		}
		if calls.Load() != 2 {
			t.Errorf("%d calls; want 2", calls.Load())
		}
	})
}
