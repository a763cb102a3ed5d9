package loaders

import (
	"context"
	"sync"
)

// memo makes each distinct call once per operation: the first caller of a
// key makes it (in its own goroutine, under its own context), callers that
// come while it runs wait for its answer, and later callers get the
// answer at once. An answer cut short because its caller's context ended
// says nothing to the others: it is forgotten, and a waiter with time left
// makes the call itself.
type memo[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*memoEntry[V]
}

type memoEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// do returns the answer of call for key, making the call at most once per
// operation unless an earlier caller's own context cut it short. A waiting
// caller returns when ctx ends, with ok false.
func (m *memo[K, V]) do(ctx context.Context, key K, call func(context.Context) (V, error)) (v V, err error, ok bool) {
	for {
		m.mu.Lock()
		if m.entries == nil {
			m.entries = make(map[K]*memoEntry[V])
		}
		e, found := m.entries[key]
		if !found {
			e = &memoEntry[V]{done: make(chan struct{})}
			m.entries[key] = e
			m.mu.Unlock()
			e.v, e.err = call(ctx)
			if e.err != nil && ctx.Err() != nil {
				m.forget(key, e)
			}
			close(e.done)
			return e.v, e.err, true
		}
		m.mu.Unlock()
		if !ready(ctx, e.done) {
			return v, nil, false
		}
		m.mu.Lock()
		cutShort := m.entries[key] != e // forgotten: its caller gave up
		m.mu.Unlock()
		if !cutShort {
			return e.v, e.err, true
		}
	}
}

func (m *memo[K, V]) forget(key K, e *memoEntry[V]) {
	m.mu.Lock()
	if m.entries[key] == e {
		delete(m.entries, key)
	}
	m.mu.Unlock()
}
