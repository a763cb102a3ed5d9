package resilience

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Options are a Service's collaborators.
type Options struct {
	// Classify says what attempt errors mean. Required.
	Classify Classifier
	// Observer hears decisions; nil discards them.
	Observer Observer
	// Now is the clock of the retry and hedge budgets; nil means time.Now.
	Now func() time.Time
	// Jitter returns a number in [0, 1) for backoff jitter; nil means math/rand/v2.
	Jitter func() float64
	// Callers names who makes a call (e.g. its client and its request),
	// each name holding at most Policy.MaxShare of the attempts in flight;
	// nil means no caller is told apart.
	Callers func(context.Context) []string
	// Busy reports whether the caller itself is the bottleneck now (its
	// goroutines wait to run: package overload). Then an attempt that
	// timed out says nothing about the service: it does not count against
	// the breaker, and no retry or hedge adds to the load. Nil: never.
	Busy func() bool
}

// Service is one downstream service's policy and its state: breaker, retry
// and hedge budgets, in-flight count, recent latencies, calls in flight.
// It is safe for concurrent use; one value serves a service for the life of
// the process.
type Service struct {
	name     string
	policy   Policy
	classify Classifier
	observer Observer
	now      func() time.Time
	jitter   func() float64

	breaker  *gobreaker.CircuitBreaker[any]
	inFlight chan struct{} // the bulkhead: a slot per attempt in flight
	shares   *shares       // nil: callers are not told apart
	callers  func(context.Context) []string
	busy     func() bool
	retries  *budget
	hedges   *budget
	latency  latencies
	flights  flightGroup
}

// NewService returns the Service for calls to name under p (zero fields take
// their defaults; p should have passed Validate).
func NewService(name string, p Policy, o Options) *Service {
	p = p.withDefaults()
	s := &Service{
		name:     name,
		policy:   p,
		classify: o.Classify,
		observer: o.Observer,
		now:      o.Now,
		jitter:   o.Jitter,
		inFlight: make(chan struct{}, p.MaxInFlight),
	}
	// A share as large as the bulkhead limits nothing: a caller alone then
	// meets the bulkhead itself (and is shed, not queued, beyond it).
	if share := max(int(p.MaxShare*float64(p.MaxInFlight)), 1); o.Callers != nil && share < p.MaxInFlight {
		s.callers = o.Callers
		s.shares = newShares(share)
	}
	s.busy = o.Busy
	if s.busy == nil {
		s.busy = func() bool { return false }
	}
	if s.observer == nil {
		s.observer = nopObserver{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.jitter == nil {
		s.jitter = rand.Float64
	}
	s.retries = newBudget(p.RetryRatio, p.RetryMin, s.now)
	s.hedges = newBudget(p.HedgeRatio, p.HedgeMin, s.now)
	s.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:         name,
		MaxRequests:  uint32(p.BreakerProbes),
		Interval:     p.BreakerWindow,
		BucketPeriod: p.BreakerWindow / 10,
		Timeout:      p.BreakerOpen,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= uint32(p.BreakerConsecutive) ||
				c.Requests >= uint32(p.BreakerMinCalls) && float64(c.TotalFailures) >= p.BreakerRatio*float64(c.Requests)
		},
		IsSuccessful: func(err error) bool { return err == nil || !s.outcome(err).Failure },
		IsExcluded:   func(err error) bool { return err != nil && s.outcome(err).Ignore },
		OnStateChange: func(name string, from, to gobreaker.State) {
			s.observer.BreakerChanged(name, from.String(), to.String())
		},
	})
	return s
}

// Name returns the service's name.
func (s *Service) Name() string { return s.name }

// Policy returns the service's policy with defaults filled in.
func (s *Service) Policy() Policy { return s.policy }

// BreakerState returns "closed", "half-open" or "open".
func (s *Service) BreakerState() string { return s.breaker.State().String() }

// InFlight returns how many attempts to the service are in flight.
func (s *Service) InFlight() int { return len(s.inFlight) }

// outcome classifies an attempt error, the layers' own errors included.
func (s *Service) outcome(err error) Outcome {
	switch {
	case errors.Is(err, ErrCircuitOpen), errors.Is(err, ErrBulkheadFull):
		return Outcome{Ignore: true}
	case errors.Is(err, ErrAttemptTimeout):
		if s.busy() { // the time went to our own queueing, not to the service
			return Outcome{Ignore: true}
		}
		return Outcome{Retry: true, Failure: true}
	}
	return s.classify(err)
}

func (s *Service) decide(ctx context.Context, d Decision) { s.observer.Decision(ctx, s.name, d) }

type nopObserver struct{}

func (nopObserver) Decision(context.Context, string, Decision) {}
func (nopObserver) BreakerChanged(string, string, string)      {}
