package resilience

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A caller holding its whole share waits for one of its own attempts to end;
// another caller is not held up by it, and the bulkhead sheds nobody.
func TestSharesKeepOneCallerFromTakingEverything(t *testing.T) {
	type key struct{}
	callerOf := func(ctx context.Context) []string { return []string{ctx.Value(key{}).(string)} }
	s := NewService("svc", Policy{MaxInFlight: 4, MaxShare: 0.5, Attempts: 1, NoDedupe: true},
		Options{Classify: testClassify, Callers: callerOf})
	hog := context.WithValue(context.Background(), key{}, "hog")
	other := context.WithValue(context.Background(), key{}, "other")

	release := make(chan struct{})
	started := make(chan struct{}, 10)
	blocking := func(context.Context) (int, error) {
		started <- struct{}{}
		<-release
		return 1, nil
	}
	done := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := Do(hog, s, "", blocking)
			done <- err
		}()
	}
	<-started
	<-started // the hog holds its share: 2 of 4
	if s.InFlight() != 2 {
		t.Fatalf("%d in flight; want the hog's 2", s.InFlight())
	}
	// Its third call waits; the other caller's goes through at once.
	if v, err := Do(other, s, "", func(context.Context) (int, error) { return 7, nil }); err != nil || v != 7 {
		t.Fatalf("other caller: %v, %v; want 7", v, err)
	}
	select {
	case <-started:
		t.Fatal("the hog's third attempt started beyond its share")
	default:
	}
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("hog call: %v; want it done once a slot of its own was free", err)
		}
	}
	if n := len(s.shares.held); n != 0 {
		t.Errorf("%d callers still tracked after every call ended; want none", n)
	}
}

// A caller waiting for its share gives up at its deadline.
func TestShareWaitEndsWithTheContext(t *testing.T) {
	sh := newShares(1)
	release, err := sh.acquire(context.Background(), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := sh.acquire(ctx, []string{"b"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("acquire over the share: %v; want the context's error", err)
	}
	release()
	if n := len(sh.held); n != 0 {
		t.Errorf("%d callers tracked; want none", n)
	}
}
