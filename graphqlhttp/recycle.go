package graphqlhttp

import (
	"context"
	"sync"
)

// An executor writes each response's data into a buffer of its own, which
// it could reuse for the next response as soon as the answer went out; not
// knowing when that is, it would copy the data out of the buffer for every
// response (a full dashboard's is ~20 KB, ~15% of what a dashboard
// allocates). The server that writes the answer knows: it runs the
// releases executors registered once the answer is written (Recycle).

// recycleKey carries an operation's recycler in its context.
type recycleKey struct{}

// recycler holds the releases registered for one operation.
type recycler struct {
	mu       sync.Mutex
	releases []func()
	done     bool
}

// WithRecycling returns ctx in which Recycle registers releases, and the
// function that runs them, which the caller calls once nothing reads the
// operation's responses any more (after the answer is written).
func WithRecycling(ctx context.Context) (context.Context, func()) {
	r := &recycler{}
	return context.WithValue(ctx, recycleKey{}, r), r.run
}

// Recycle registers release to run once the responses of the operation
// of ctx are written and read no more, and reports whether it will: false
// when whoever serves ctx does not say when that is (no WithRecycling, or
// its releases ran already), in which case the caller must not reuse what
// its responses hold.
func Recycle(ctx context.Context, release func()) bool {
	r, ok := ctx.Value(recycleKey{}).(*recycler)
	if !ok {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return false
	}
	r.releases = append(r.releases, release)
	return true
}

func (r *recycler) run() {
	r.mu.Lock()
	releases := r.releases
	r.releases, r.done = nil, true
	r.mu.Unlock()
	for _, f := range releases {
		f()
	}
}
