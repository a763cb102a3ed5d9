package resilience

import (
	"cmp"
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// hedge makes one attempt and, when hedging is on and the attempt has not
// answered after the hedge delay, a second one; the first good answer wins
// and the other attempt is cancelled. It reports whether it hedged.
//
// The first attempt runs on the caller's goroutine and the hedge, when one
// is due, on the timer's: most calls are never hedged, and they cost no
// goroutine, channel or stack of their own.
func hedge[T any](ctx context.Context, s *Service, call func(context.Context) (T, error)) (T, bool, error) {
	delay, ok := s.hedgeDelay()
	if !ok {
		v, err := attempt(ctx, s, call)
		return v, false, err
	}

	type result struct {
		v   T
		err error
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil) // ends the loser
	var (
		decided   = make(chan struct{}) // closed once the timer's func chose
		launched  bool                  // whether it sent a hedge; read after decided
		second    = make(chan result, 1)
		firstDone atomic.Bool // the first attempt returned
	)
	start := time.Now()
	timer := time.AfterFunc(delay, func() {
		switch {
		case s.busy(): // a hedge now would add to our own overload
			s.decide(ctx, Busy)
		case !s.hedges.spend():
			s.decide(ctx, HedgeNoBudget)
		default:
			s.decide(ctx, Hedged)
			launched = true
		}
		close(decided)
		if !launched {
			return
		}
		v, err := attempt(ctx, s, call)
		if err == nil && !firstDone.Load() {
			// The first attempt, cut short now, took at least this
			// long: without it, the stragglers hedging cuts short would
			// vanish from the latencies, the delay would fall, and
			// hedges would go to the body.
			s.latency.observe(time.Since(start))
			cancel(errHedgeWon)
		}
		second <- result{v, err}
	})
	v, err := attempt(ctx, s, call)
	firstDone.Store(true)
	if timer.Stop() {
		return v, false, err // answered before the hedge was due
	}
	<-decided
	if err == nil || !launched {
		return v, launched, err
	}
	r := <-second
	if r.err != nil {
		return v, true, err
	}
	s.decide(ctx, HedgeWon)
	return r.v, true, nil
}

// errHedgeWon cancels the first attempt when its hedge answered first.
var errHedgeWon = errors.New("resilience: the hedge answered first")

// hedgeDelay returns how long to wait before hedging, and false when no
// hedge is to be sent. The adaptive delay is the latency percentile the
// hedge budget affords, as Finagle's backup requests choose theirs: with a
// budget of HedgeRatio of calls, the (1 − HedgeRatio·hedgeMargin)-quantile
// of the service's recent latencies, so that the calls hedged are the
// slowest ones and, at steady load, fewer than the budget allows (the
// margin keeps some budget for bursts of stragglers). A lower delay (the
// p95 with a 5% budget, say) is passed by more calls than the budget pays
// for, and spends it on the body of the distribution before the stragglers
// come.
//
// Until enough latencies were seen, the adaptive delay is Hedge, or
// DefaultHedgeStart without one: a straggler among a service's first calls
// is still worth a hedge (the budget caps them), and with calls shared
// across requests, one unhedged straggler holds every request that joins it.
func (s *Service) hedgeDelay() (time.Duration, bool) {
	if s.policy.HedgeAdaptive {
		if d, ok := s.latency.quantile(s.hedgeQuantile()); ok {
			return d, true
		}
		return cmp.Or(s.policy.Hedge, DefaultHedgeStart), true
	}
	return s.policy.Hedge, s.policy.Hedge > 0
}

// hedgeQuantile is the latency quantile the adaptive hedge delay is.
func (s *Service) hedgeQuantile() float64 {
	return 1 - s.policy.HedgeRatio*hedgeMargin
}

// hedgeMargin is the share of the hedge budget the adaptive delay plans
// to spend at steady load.
const hedgeMargin = 0.8

// attempt makes one attempt through the bulkhead, the breaker and the
// per-attempt timeout.
func attempt[T any](ctx context.Context, s *Service, call func(context.Context) (T, error)) (T, error) {
	var zero T
	if s.shares != nil {
		release, err := s.shares.acquire(ctx, s.callers(ctx))
		if err != nil {
			return zero, context.Cause(ctx)
		}
		defer release()
	}
	select {
	case s.inFlight <- struct{}{}:
		defer func() { <-s.inFlight }()
	default:
		s.decide(ctx, Shed)
		return zero, ErrBulkheadFull
	}
	v, err := s.breaker.Execute(func() (any, error) {
		actx := ctx
		if s.policy.Timeout > 0 {
			var cancel context.CancelFunc
			actx, cancel = context.WithTimeoutCause(ctx, s.policy.Timeout, ErrAttemptTimeout)
			defer cancel()
		}
		start := time.Now()
		v, err := call(actx)
		if err == nil || !s.outcome(err).Failure && !s.outcome(err).Ignore {
			s.latency.observe(time.Since(start))
		}
		if err != nil && context.Cause(actx) == ErrAttemptTimeout && ctx.Err() == nil {
			s.decide(ctx, TimedOut)
		}
		return v, err
	})
	if err != nil {
		if isBreakerRefusal(err) {
			s.decide(ctx, ShortCircuited)
			return zero, ErrCircuitOpen
		}
		return zero, err
	}
	t, _ := v.(T)
	return t, nil
}
