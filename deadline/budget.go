package deadline

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrFieldBudget is the cause of an optional field's context when it gave
// up: its budget had passed and the critical fields were in.
var ErrFieldBudget = errors.New("field budget passed")

type startKey struct{}

// Start returns when the request arrived (recorded by Middleware), or the
// zero time when ctx does not say.
func Start(ctx context.Context) time.Time {
	t, _ := ctx.Value(startKey{}).(time.Time)
	return t
}

// Critical tracks the critical fields of one dashboard still resolving, so
// that its optional fields can give up "good enough": an optional field
// waits until its own budget has passed (counted from the request's start)
// and every critical field is in, then stops waiting; a slow optional field
// then no longer holds the response. The request deadline still bounds all.
// A nil *Critical has no critical fields.
type Critical struct {
	mu      sync.Mutex
	pending int
	waiting []func()
}

// NewCritical returns a tracker of n critical fields.
func NewCritical(n int) *Critical {
	return &Critical{pending: n}
}

// Done reports one critical field resolved (successfully or not).
func (c *Critical) Done() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.pending--
	var run []func()
	if c.pending == 0 {
		run, c.waiting = c.waiting, nil
	}
	c.mu.Unlock()
	for _, f := range run {
		f()
	}
}

// whenDone runs f once no critical field is pending (at once if none is).
func (c *Critical) whenDone(f func()) {
	if c != nil {
		c.mu.Lock()
		if c.pending > 0 {
			c.waiting = append(c.waiting, f)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
	f()
}

// Optional returns the context of an optional field with the given budget:
// it ends with cause ErrFieldBudget once the budget has passed since the
// request started and every critical field is in (or earlier, with ctx).
// Call the returned func when the field is resolved.
func (c *Critical) Optional(ctx context.Context, budget time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	start := Start(ctx)
	if start.IsZero() {
		start = time.Now()
	}
	t := time.AfterFunc(time.Until(start.Add(budget)), func() {
		c.whenDone(func() { cancel(ErrFieldBudget) })
	})
	return ctx, func() {
		t.Stop()
		cancel(context.Canceled)
	}
}
