package resilience

import (
	"context"
	"fmt"
	"sync"
)

// flightGroup shares identical calls in flight, like
// golang.org/x/sync/singleflight, with one difference that matters here:
// the shared call runs under a context of its own that is cancelled as soon
// as every caller waiting for it has gone (singleflight either ties the call
// to its first caller, or lets it run after everyone left). The shared call
// keeps the first caller's values (request id) and deadline.
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
// (shared reports whether it did). It returns when ctx ends, whatever fn does.
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) (any, error)) (v any, err error, shared bool) {
	g.mu.Lock()
	if g.flights == nil {
		g.flights = make(map[string]*flight)
	}
	f, shared := g.flights[key]
	if shared {
		f.waiters++
	} else {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if deadline, ok := ctx.Deadline(); ok {
			var cancelDeadline context.CancelFunc
			fctx, cancelDeadline = context.WithDeadline(fctx, deadline)
			cancelBoth := cancel
			cancel = func() { cancelDeadline(); cancelBoth() }
		}
		f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
		g.flights[key] = f
		go g.run(fctx, key, f, fn)
	}
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.val, f.err, shared
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel() // nobody wants the answer any more
			g.forget(key, f)
		}
		g.mu.Unlock()
		return nil, context.Cause(ctx), shared
	}
}

func (g *flightGroup) run(ctx context.Context, key string, f *flight, fn func(context.Context) (any, error)) {
	defer func() {
		if p := recover(); p != nil {
			f.err = fmt.Errorf("resilience: panic in shared call: %v", p)
		}
		g.mu.Lock()
		g.forget(key, f)
		g.mu.Unlock()
		close(f.done)
		f.cancel()
	}()
	f.val, f.err = fn(ctx)
}

// forget removes f from the group if it is still the flight for key, so the
// next caller starts afresh. Call with g.mu held.
func (g *flightGroup) forget(key string, f *flight) {
	if g.flights[key] == f {
		delete(g.flights, key)
	}
}
