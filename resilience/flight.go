package resilience

import (
	"context"
	"fmt"
	"sync"
)

// flightGroup shares identical calls in flight, like
// golang.org/x/sync/singleflight, with one difference that matters here: the
// shared call runs under a context of its own (the first caller's values and
// deadline, not its cancellation), cancelled as soon as every caller waiting
// for it has gone. singleflight either ties the call to its first caller's
// cancellation, failing everyone when that one client leaves, or lets it run
// after everyone left.
type flightGroup struct {
	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done    chan struct{}
	val     any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// do returns the result of fn for key, sharing a call already in flight
// (shared reports whether it did). A caller that joins returns when its ctx
// ends. The first caller runs fn itself, so it returns when fn does: at its
// deadline at the latest (fn's context has the same one), later only if it
// was cancelled while others still wait for the answer.
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (v any, err error, shared bool) {
	g.mu.Lock()
	if g.flights == nil {
		g.flights = make(map[string]*flight)
	}
	if f, ok := g.flights[key]; ok {
		f.waiters++
		g.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err, true
		case <-ctx.Done():
			g.leave(key, f)
			return nil, context.Cause(ctx), true
		}
	}
	var fctx context.Context
	var cancel context.CancelFunc
	if deadline, ok := ctx.Deadline(); ok {
		fctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	} else {
		fctx, cancel = context.WithCancel(context.WithoutCancel(ctx))
	}
	f := &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
	g.flights[key] = f
	g.mu.Unlock()

	stop := context.AfterFunc(ctx, func() { g.leave(key, f) }) // the first caller gone
	defer func() {
		stop()
		g.mu.Lock()
		g.forget(key, f)
		g.mu.Unlock()
		close(f.done)
		cancel()
	}()
	f.val, f.err = safely(fctx, fn)
	return f.val, f.err, false
}

// leave takes one waiter off f, and cancels f when nobody waits any more.
func (g *flightGroup) leave(key string, f *flight) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		g.forget(key, f)
	}
}

// forget removes f from the group if it is still the flight for key, so the
// next caller starts afresh. Call with g.mu held.
func (g *flightGroup) forget(key string, f *flight) {
	if g.flights[key] == f {
		delete(g.flights, key)
	}
}

// safely runs fn, turning a panic into an error so that callers waiting for
// a shared call are never left hanging.
func safely(ctx context.Context, fn func(context.Context) (any, error)) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("resilience: panic in shared call: %v", p)
		}
	}()
	return fn(ctx)
}
