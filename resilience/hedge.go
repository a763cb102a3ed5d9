package resilience

import (
	"cmp"
	"context"
	"time"
)

// hedge makes one attempt and, when hedging is on and the attempt has not
// answered after the hedge delay, a second one; the first good answer wins
// and the other attempt is cancelled. It reports whether it hedged.
func hedge[T any](ctx context.Context, s *Service, call func(context.Context) (T, error)) (T, bool, error) {
	delay, ok := s.hedgeDelay()
	if !ok {
		v, err := attempt(ctx, s, call)
		return v, false, err
	}

	type result struct {
		v     T
		err   error
		hedge bool
	}
	results := make(chan result, 2) // buffered: a losing attempt never blocks
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the loser
	launch := func(isHedge bool) {
		go func() {
			v, err := attempt(ctx, s, call)
			results <- result{v, err, isHedge}
		}()
	}
	start := time.Now()
	launch(false)
	timer := time.NewTimer(delay)
	defer timer.Stop()

	pending, hedged, firstDone := 1, false, false
	var firstErr error
	for {
		select {
		case r := <-results:
			pending--
			firstDone = firstDone || !r.hedge
			if r.err == nil {
				if r.hedge {
					s.decide(ctx, HedgeWon)
				}
				if r.hedge && !firstDone {
					// The first attempt, cancelled now, took at least
					// this long: without it, the stragglers hedging cuts
					// short would vanish from the latencies, the delay
					// would fall, and hedges would go to the body.
					s.latency.observe(time.Since(start))
				}
				return r.v, hedged, nil
			}
			if firstErr == nil {
				firstErr = r.err
			}
			if pending == 0 {
				// Both failed, or the first failed before the hedge was
				// due: let the retry layer decide what comes next.
				var zero T
				return zero, hedged, firstErr
			}
		case <-timer.C:
			if s.busy() { // a hedge now would add to our own overload
				s.decide(ctx, Busy)
				continue
			}
			if !s.hedges.spend() {
				s.decide(ctx, HedgeNoBudget)
				continue
			}
			s.decide(ctx, Hedged)
			hedged = true
			pending++
			launch(true)
		case <-ctx.Done():
			var zero T
			return zero, hedged, context.Cause(ctx)
		}
	}
}

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
