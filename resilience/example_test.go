package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/acme/dashboard-gateway/resilience"
)

// errUnavailable stands for a service's 503: worth retrying, and a failure
// the breaker counts.
var errUnavailable = errors.New("unavailable")

func classify(err error) resilience.Outcome {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return resilience.Outcome{Ignore: true} // the caller left: the service is not to blame
	}
	return resilience.Outcome{Retry: errors.Is(err, errUnavailable), Failure: true}
}

// printer is a resilience.Observer that prints what the layers decide.
type printer struct{}

func (printer) Decision(_ context.Context, service string, d resilience.Decision) {
	fmt.Printf("  %s: %s\n", service, d)
}

func (printer) BreakerChanged(service, from, to string) {
	fmt.Printf("  %s: breaker %s -> %s\n", service, from, to)
}

// A service wrapped with retries, a breaker and hedging, calling a
// function that stands for one HTTP attempt.
func Example() {
	ctx := context.Background()
	orders := resilience.NewService("orders", resilience.Policy{
		Attempts:           2,                     // one retry
		BreakerConsecutive: 3,                     // three failed calls in a row open the breaker
		Hedge:              20 * time.Millisecond, // a second attempt for one slower than this
	}, resilience.Options{
		Classify: classify,
		Observer: printer{},
		Jitter:   func() float64 { return 0 }, // no backoff wait, for the example
	})

	// A retry: the first attempt fails with 503, the second answers.
	var attempts atomic.Int32 // attempts may run at once (a hedge)
	v, err := resilience.Do(ctx, orders, "", func(context.Context) (string, error) {
		if attempts.Add(1) == 1 {
			return "", errUnavailable
		}
		return "orders of u1", nil
	})
	fmt.Printf("retry: %q, %v after %d attempts\n", v, err, attempts.Load())

	// Hedging: the first attempt hangs, the hedge sent after 20ms answers
	// and the first is cancelled.
	attempts.Store(0)
	v, err = resilience.Do(ctx, orders, "", func(ctx context.Context) (string, error) {
		if attempts.Add(1) == 1 {
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "orders of u2", nil
	})
	fmt.Printf("hedge: %q, %v\n", v, err)

	// The breaker: three calls fail in a row, the breaker opens, and the
	// next call fails at once without reaching the service.
	broken := func(context.Context) (string, error) { return "", errors.New("500") }
	for range 3 {
		_, err = resilience.Do(ctx, orders, "", broken)
	}
	_, err = resilience.Do(ctx, orders, "", broken)
	fmt.Printf("open: %v\n", errors.Is(err, resilience.ErrCircuitOpen))
	// Output:
	//   orders: retried
	// retry: "orders of u1", <nil> after 2 attempts
	//   orders: hedged
	//   orders: hedge_won
	// hedge: "orders of u2", <nil>
	//   orders: breaker closed -> open
	//   orders: short_circuited
	// open: true
}
