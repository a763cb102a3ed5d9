package budget_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/budget"
	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/downstream"
)

// ended returns the cause ctx ended with within d, or nil if it did not.
func ended(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

func TestBegin(t *testing.T) {
	const short = 10 * time.Millisecond
	tests := []struct {
		name     string
		budgets  budget.Budgets
		selected []string
		field    string
		critical bool  // the other selected (critical) fields resolve at once
		want     error // the field's context's cause; nil: it does not end
	}{
		{"optional, alone", budget.Budgets{"wallet": short}, []string{"wallet"}, "wallet", false, budget.ErrPassed},
		{"optional, critical field pending", budget.Budgets{"wallet": short}, []string{"profile", "wallet"}, "wallet", false, nil},
		{"optional, critical fields in", budget.Budgets{"wallet": short}, []string{"profile", "orders", "wallet"}, "wallet", true, budget.ErrPassed},
		{"optional twice, critical in", budget.Budgets{"wallet": short}, []string{"profile", "wallet", "wallet"}, "wallet", true, budget.ErrPassed},
		{"critical", budget.Budgets{"wallet": short}, []string{"profile", "wallet"}, "profile", false, nil},
		{"no budgets", nil, []string{"profile", "wallet"}, "wallet", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f budget.Fields
			f.Track(tt.budgets, tt.selected)
			ctx, done := f.Begin(context.Background(), tt.field)
			defer done()
			if tt.critical {
				for _, name := range tt.selected {
					if _, optional := tt.budgets[name]; !optional {
						_, criticalDone := f.Begin(context.Background(), name)
						criticalDone()
					}
				}
			}
			wait := 20 * short
			if tt.want == nil {
				wait = 5 * short // long enough to see it would have ended
			}
			if got := ended(ctx, wait); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("%s of %v with budgets %v: context ended with %v; want %v", tt.field, tt.selected, tt.budgets, got, tt.want)
			}
		})
	}
}

// An optional field resolved before its budget passed ends its context as
// cancelled, not as a budget that passed.
func TestResolvedInTime(t *testing.T) {
	var f budget.Fields
	f.Track(budget.Budgets{"wallet": time.Hour}, []string{"wallet"})
	ctx, done := f.Begin(context.Background(), "wallet")
	done()
	if got := context.Cause(ctx); !errors.Is(got, context.Canceled) {
		t.Errorf("cause after done: %v; want context.Canceled", got)
	}
}

// A budget counts from the request's start (deadline.Middleware), not from
// the field's.
func TestBudgetCountsFromRequestStart(t *testing.T) {
	var cause error
	h := deadline.Middleware(time.Minute)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // the request's budget passes before the field begins
		var f budget.Fields
		f.Track(budget.Budgets{"wallet": 40 * time.Millisecond}, []string{"wallet"})
		ctx, done := f.Begin(r.Context(), "wallet")
		defer done()
		cause = ended(ctx, 10*time.Millisecond)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/query", nil))
	if !errors.Is(cause, budget.ErrPassed) {
		t.Errorf("field begun after its budget passed: %v; want ErrPassed at once", cause)
	}
}

func TestErr(t *testing.T) {
	passed, cancel := context.WithCancelCause(context.Background())
	cancel(budget.ErrPassed)
	gone, cancelGone := context.WithCancel(context.Background())
	cancelGone()
	kind := func(k downstream.Kind) error {
		return &downstream.Error{Service: downstream.Wallet, Op: "get wallet", Kind: k}
	}
	other := errors.New("not a downstream error")
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want downstream.Kind // 0: err comes back as it was
	}{
		{"no error", passed, nil, 0},
		{"cancelled at the budget", passed, kind(downstream.KindCanceled), downstream.KindBudget},
		{"deadline at the budget", passed, kind(downstream.KindDeadline), downstream.KindBudget},
		{"not found at the budget", passed, kind(downstream.KindNotFound), 0},
		{"other error at the budget", passed, other, 0},
		{"cancelled by the client", gone, kind(downstream.KindCanceled), 0},
		{"no budget", context.Background(), kind(downstream.KindDeadline), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := budget.Err(tt.ctx, tt.err)
			if tt.want == 0 {
				if got != tt.err {
					t.Errorf("Err(%v) = %v; want it unchanged", tt.err, got)
				}
				return
			}
			e, ok := errors.AsType[*downstream.Error](got)
			if !ok || e.Kind != tt.want || e.Service != downstream.Wallet {
				t.Errorf("Err(%v) = %v; want wallet %v", tt.err, got, tt.want)
			}
			if orig, _ := errors.AsType[*downstream.Error](tt.err); orig.Kind == tt.want {
				t.Errorf("Err changed its argument; want a copy")
			}
		})
	}
}
