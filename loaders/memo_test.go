package loaders

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestMemo(t *testing.T) {
	var m memo[string, int]
	var calls atomic.Int64
	count := func(context.Context) (int, error) { calls.Add(1); return 42, nil }
	ctx := context.Background()
	for range 3 {
		if v, err, ok := m.do(ctx, "k", count); v != 42 || err != nil || !ok {
			t.Fatalf("do = %v, %v, %v; want 42", v, err, ok)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls for one key; want 1", n)
	}
	// An answer cut short by its own caller's context is not kept.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	errGone := errors.New("gave up")
	if _, err, _ := m.do(gone, "other", func(context.Context) (int, error) { return 0, errGone }); !errors.Is(err, errGone) {
		t.Fatalf("cancelled caller: %v", err)
	}
	if v, err, _ := m.do(ctx, "other", count); v != 42 || err != nil {
		t.Errorf("after a cancelled caller: %v, %v; want a fresh call's 42", v, err)
	}
	// A waiter whose context ends stops waiting.
	block, started := make(chan struct{}), make(chan struct{})
	go m.do(ctx, "slow", func(context.Context) (int, error) { close(started); <-block; return 1, nil })
	<-started
	if _, _, ok := m.do(gone, "slow", count); ok {
		t.Error("a waiter with an ended context got an answer; want it to leave")
	}
	close(block)
}
