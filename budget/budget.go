// Package budget gives the optional fields of a dashboard time budgets of
// their own, for "good enough" answers: an optional field stops waiting once
// its budget, counted from the request's start, has passed and every
// critical field of its dashboard is in; a slow optional field then no
// longer holds the response. Its error is then downstream.KindBudget, which
// the error presenter shows as UPSTREAM_TIMEOUT (reason field_budget).
// Critical fields (every field without a budget) wait until the request's
// deadline, which still bounds all.
//
// It knows nothing of GraphQL or of the services: its caller (package
// dashboard) says which fields are selected, resolves each under the
// context Begin gives it, and passes the field's errors through Err.
package budget

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/downstream"
)

// ErrPassed is the cause of an optional field's context when it gave up:
// its budget had passed and the critical fields were in.
var ErrPassed = errors.New("field budget passed")

// Budgets are the optional fields, by name, and their budgets, counted from
// the request's start (deadline.Start). Nil or empty: no field is optional.
type Budgets map[string]time.Duration

// Dashboard is one user's dashboard while an operation builds it: the user,
// and the budgets of its fields. gqlgen binds the schema's Dashboard type to
// it (gqlgen.yml): userId is UserID, every other field has a resolver.
// Package dashboard builds it (as dashboard.Dashboard); it lives here so
// that the GraphQL executor depends on no more than budgets.
type Dashboard struct {
	UserID string
	Fields Fields
}

// Fields tracks the fields of one dashboard while they resolve: how many
// critical ones are still pending, and which optional ones wait for them.
// Its zero value has no optional fields. It must not be copied.
type Fields struct {
	budgets Budgets
	mu      sync.Mutex
	pending int      // critical fields not yet resolved
	waiting []func() // optional fields whose budget passed, waiting for pending to reach 0
}

// Track sets f up for a dashboard whose selected fields are selected (each
// once per response key: `a: orders b: orders` is orders twice), with the
// budgets b. Call it before the dashboard's first Begin.
func (f *Fields) Track(b Budgets, selected []string) {
	f.budgets, f.pending = b, 0
	if len(b) == 0 {
		return
	}
	for _, name := range selected {
		if _, optional := b[name]; !optional {
			f.pending++
		}
	}
}

// Begin starts resolving field name: it returns the context to resolve it
// under, and a func to call once it is resolved (successfully or not). An
// optional field's context ends with cause ErrPassed once its budget has
// passed and every critical field is in (or earlier, with ctx).
func (f *Fields) Begin(ctx context.Context, name string) (context.Context, func()) {
	if len(f.budgets) == 0 {
		return ctx, nothing // nothing optional, so nobody waits for the critical fields
	}
	budget, optional := f.budgets[name]
	if !optional {
		return ctx, f.done
	}
	ctx, cancel := context.WithCancelCause(ctx)
	start := deadline.Start(ctx)
	if start.IsZero() {
		start = time.Now()
	}
	t := time.AfterFunc(time.Until(start.Add(budget)), func() {
		f.whenDone(func() { cancel(ErrPassed) })
	})
	return ctx, func() {
		t.Stop()
		cancel(context.Canceled)
	}
}

func nothing() {}

// done reports one critical field resolved.
func (f *Fields) done() {
	f.mu.Lock()
	f.pending--
	var run []func()
	if f.pending == 0 {
		run, f.waiting = f.waiting, nil
	}
	f.mu.Unlock()
	for _, g := range run {
		g()
	}
}

// whenDone runs g once no critical field is pending (at once if none is).
func (f *Fields) whenDone(g func()) {
	f.mu.Lock()
	if f.pending > 0 {
		f.waiting = append(f.waiting, g)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	g()
}

// Err returns err as the error of a field resolved under ctx (a context
// from Begin): a downstream call abandoned because the field's budget
// passed, which reads as cancelled or past the deadline, becomes
// KindBudget. Any other error is returned as it is.
func Err(ctx context.Context, err error) error {
	if err == nil || !errors.Is(context.Cause(ctx), ErrPassed) {
		return err
	}
	if e, ok := errors.AsType[*downstream.Error](err); ok && (e.Kind == downstream.KindCanceled || e.Kind == downstream.KindDeadline) {
		cp := *e
		cp.Kind = downstream.KindBudget
		return &cp
	}
	return err
}
