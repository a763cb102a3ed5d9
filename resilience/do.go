package resilience

import (
	"context"
	"errors"
	"time"
)

// Do makes one call to the service through every layer of its policy and
// returns the first good answer, or the error of the last attempt (with a
// Report attached: see ReportOf). key identifies the request: calls with the
// same non-empty key in flight at the same time share one call; pass "" for
// a call that must not be shared. call makes one attempt under the context it
// is given, which carries the attempt's deadline.
//
// Do returns when ctx ends, whatever call does.
func Do[T any](ctx context.Context, s *Service, key string, call func(context.Context) (T, error)) (T, error) {
	if s.policy.Off {
		return call(ctx)
	}
	if s.policy.NoDedupe || key == "" {
		v, rep, err := retry(ctx, s, call)
		return v, withReport(err, rep)
	}
	for {
		v, err, shared := s.flights.do(ctx, key, func(fctx context.Context) (any, error) {
			v, rep, err := retry(fctx, s, call)
			return v, withReport(err, rep)
		})
		if shared {
			s.decide(ctx, Deduplicated)
		}
		if err == nil {
			t, _ := v.(T)
			return t, nil
		}
		// A shared call cut short by its first caller's deadline says
		// nothing about ours: while we still have time, call again.
		if shared && ctx.Err() == nil && s.outcome(err).Ignore {
			continue
		}
		var zero T
		if shared {
			err = markShared(err)
		}
		return zero, err
	}
}

// retry makes up to Attempts attempts, waiting a jittered backoff (or the
// service's Retry-After) between them, while the retry budget and the
// time left allow.
func retry[T any](ctx context.Context, s *Service, call func(context.Context) (T, error)) (T, Report, error) {
	var rep Report
	s.retries.call()
	s.hedges.call()
	for {
		v, hedged, err := hedge(ctx, s, call)
		rep.Attempts++
		if hedged {
			rep.Attempts++
			rep.Hedged = true
		}
		if err == nil {
			return v, rep, nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrCircuitOpen) || errors.Is(err, ErrBulkheadFull) {
			return v, rep, err
		}
		o := s.outcome(err)
		if !o.Retry || rep.Attempts >= s.policy.Attempts {
			return v, rep, err
		}
		if s.busy() { // a retry now would add to our own overload
			s.decide(ctx, Busy)
			return v, rep, err
		}
		wait := s.backoff(rep.Attempts)
		if o.RetryAfter > wait {
			wait = o.RetryAfter
		}
		if !s.fits(ctx, wait) {
			s.decide(ctx, RetryNoTime)
			return v, rep, err
		}
		if !s.retries.spend() {
			s.decide(ctx, RetryNoBudget)
			rep.Reason = "retry_budget_exhausted"
			return v, rep, err
		}
		s.decide(ctx, Retried)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return v, rep, err
		}
	}
}

// backoff returns the jittered wait before retry number n (n >= 1).
func (s *Service) backoff(n int) time.Duration {
	ceiling := s.policy.Backoff << (n - 1)
	if ceiling > s.policy.BackoffMax || ceiling <= 0 {
		ceiling = s.policy.BackoffMax
	}
	return time.Duration(s.jitter() * float64(ceiling))
}

// fits reports whether another attempt can be useful after waiting wait: the
// time then left must cover the service's recent p95 latency (its attempt
// timeout, while too few latencies were seen; any time left, without one).
func (s *Service) fits(ctx context.Context, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	need, ok := s.latency.percentile95()
	if !ok {
		need = s.policy.Timeout
	}
	return time.Until(deadline)-wait >= need
}

func withReport(err error, rep Report) error {
	if err == nil {
		return nil
	}
	return &reportError{err: err, report: rep}
}

func markShared(err error) error {
	if re, ok := errors.AsType[*reportError](err); ok {
		rep := re.report
		rep.Shared = true
		return &reportError{err: re.err, report: rep}
	}
	return &reportError{err: err, report: Report{Shared: true}}
}
