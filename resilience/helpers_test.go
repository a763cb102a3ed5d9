package resilience

import (
	"context"
	"errors"
	"sync"
	"time"
)

// failure is an attempt error the test classifier understands.
type failure struct {
	retry, fail, ignore bool
	after               time.Duration
}

func (f *failure) Error() string { return "failure" }

var (
	errRetryable = &failure{retry: true, fail: true} // e.g. a 503
	errBroken    = &failure{fail: true}              // e.g. a 500: not retried, trips
	errNotFound  = &failure{}                        // e.g. a 404: the service is fine
	errOurs      = &failure{ignore: true}            // our own cancellation
)

func testClassify(err error) Outcome {
	var f *failure
	if errors.As(err, &f) {
		return Outcome{Retry: f.retry, Failure: f.fail, Ignore: f.ignore, RetryAfter: f.after}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Outcome{Ignore: true}
	}
	return Outcome{Failure: true}
}

// recorder is an Observer that counts.
type recorder struct {
	mu        sync.Mutex
	decisions map[Decision]int
	changes   []string
}

func (r *recorder) Decision(_ context.Context, _ string, d Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.decisions == nil {
		r.decisions = map[Decision]int{}
	}
	r.decisions[d]++
}

func (r *recorder) BreakerChanged(_, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, from+"->"+to)
}

func (r *recorder) count(d Decision) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.decisions[d]
}

func newTestService(p Policy) (*Service, *recorder) {
	rec := &recorder{}
	return NewService("svc", p, Options{Classify: testClassify, Observer: rec, Jitter: func() float64 { return 0.5 }}), rec
}

// script returns a call that answers with errs in turn, then "ok", and
// counts its attempts.
func script(errs ...error) (func(context.Context) (string, error), *int) {
	var mu sync.Mutex
	n := 0
	return func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n <= len(errs) && errs[n-1] != nil {
			return "", errs[n-1]
		}
		return "ok", nil
	}, &n
}
