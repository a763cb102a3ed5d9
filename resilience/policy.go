// Package resilience wraps calls to one downstream service in the layers
// that turn a misbehaving service into one fast, precise failure without
// amplifying its trouble:
//
//	de-duplication  identical calls in flight share one (across requests)
//	retry           bounded attempts with jittered backoff, Retry-After,
//	                a retry budget, and only when the deadline leaves time
//	hedging         (opt-in) a second attempt when the first is slow
//	bulkhead        a cap on calls in flight; beyond it, fail fast
//	circuit breaker short-circuit a failing service (sony/gobreaker)
//	attempt timeout each attempt's own deadline
//
// Do applies them, in that order from the outside in, around a call the
// caller supplies; what an error means (retry it? does it count against the
// breaker?) is the caller's Classifier's to say. The package knows nothing
// of HTTP or of the services themselves.
package resilience

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// Policy is how calls to one service are made. The zero value of every field
// means its documented default.
type Policy struct {
	// Timeout bounds each attempt. Zero (the default) means the time the
	// caller's deadline leaves: a service that answers within the request's
	// deadline is never failed for being slow, and a slow attempt is cut
	// short only by a hedge or by the deadline itself.
	Timeout time.Duration
	// Attempts is the most attempts per call, the first included; 1
	// disables retries. Default 2.
	Attempts int
	// Backoff caps the first retry's random wait (full jitter); it doubles
	// for each further retry up to BackoffMax. Defaults 25ms and 250ms.
	Backoff, BackoffMax time.Duration
	// RetryRatio is the share of recent calls that may be retried, and
	// RetryMin the retries allowed in any window whatever the ratio
	// (Envoy-style retry budget; the window is 10 s). Defaults 0.2 and 10.
	RetryRatio float64
	RetryMin   int
	// The breaker opens when, within BreakerWindow, at least
	// BreakerMinCalls calls were made and BreakerRatio of them failed, or
	// when BreakerConsecutive calls failed in a row. It stays open for
	// BreakerOpen, then lets BreakerProbes calls through (half-open) and
	// closes when they succeed. Defaults: 10s, 20, 0.5, 10, 5s, 1.
	BreakerWindow      time.Duration
	BreakerMinCalls    int
	BreakerRatio       float64
	BreakerConsecutive int
	BreakerOpen        time.Duration
	BreakerProbes      int
	// MaxInFlight caps the attempts in flight to the service; beyond it a
	// call fails at once. Default 1024.
	MaxInFlight int
	// MaxShare is the share of MaxInFlight one caller (each name
	// Options.Callers gives: a request, a client) may hold; its further
	// attempts wait for its own to finish instead of taking the rest, so
	// one caller cannot get everyone else's calls shed. 1 turns it off.
	// Default 0.5.
	MaxShare float64
	// Hedge is the delay after which a second attempt is sent when the first
	// has not answered; 0 disables hedging (the default). HedgeAdaptive uses
	// instead the percentile of the service's recent latencies that the
	// hedge budget affords, (1 − 0.8·HedgeRatio), the p96 by default, so
	// that the slowest calls are hedged (Hedge, or else DefaultHedgeStart,
	// is the delay used until enough latencies were seen). HedgeRatio caps hedges at a share of recent calls, and
	// HedgeMin is the hedges allowed in any window whatever the ratio (the
	// window is 10 s, as the retry budget's). Defaults 0.05 and 10.
	Hedge         time.Duration
	HedgeAdaptive bool
	HedgeRatio    float64
	HedgeMin      int
	// NoDedupe turns off the sharing of identical calls in flight. Sharing
	// is on by default.
	NoDedupe bool
	// Off sends every call once with no layer at all: no timeout, retry,
	// breaker, bulkhead, hedge or sharing. For measuring the layers' cost
	// and for debugging; never the default.
	Off bool
}

// Defaults of Policy.
const (
	DefaultAttempts           = 2
	DefaultBackoff            = 25 * time.Millisecond
	DefaultBackoffMax         = 250 * time.Millisecond
	DefaultRetryRatio         = 0.2
	DefaultRetryMin           = 10
	DefaultBreakerWindow      = 10 * time.Second
	DefaultBreakerMinCalls    = 20
	DefaultBreakerRatio       = 0.5
	DefaultBreakerConsecutive = 10
	DefaultBreakerOpen        = 5 * time.Second
	DefaultBreakerProbes      = 1
	DefaultMaxInFlight        = 1024
	DefaultMaxShare           = 0.5
	DefaultHedgeRatio         = 0.05
	DefaultHedgeMin           = 10
	// DefaultHedgeStart is the adaptive hedge delay until a service's
	// latencies are known, when Hedge does not say.
	DefaultHedgeStart = 100 * time.Millisecond
)

// budgetWindow is the window of the retry and hedge budgets.
const budgetWindow = 10 * time.Second

// withDefaults returns p with every zero field set to its default.
func (p Policy) withDefaults() Policy {
	p.Attempts = cmp.Or(p.Attempts, DefaultAttempts)
	p.Backoff = cmp.Or(p.Backoff, DefaultBackoff)
	p.BackoffMax = cmp.Or(p.BackoffMax, DefaultBackoffMax)
	p.RetryRatio = cmp.Or(p.RetryRatio, DefaultRetryRatio)
	p.RetryMin = cmp.Or(p.RetryMin, DefaultRetryMin)
	p.BreakerWindow = cmp.Or(p.BreakerWindow, DefaultBreakerWindow)
	p.BreakerMinCalls = cmp.Or(p.BreakerMinCalls, DefaultBreakerMinCalls)
	p.BreakerRatio = cmp.Or(p.BreakerRatio, DefaultBreakerRatio)
	p.BreakerConsecutive = cmp.Or(p.BreakerConsecutive, DefaultBreakerConsecutive)
	p.BreakerOpen = cmp.Or(p.BreakerOpen, DefaultBreakerOpen)
	p.BreakerProbes = cmp.Or(p.BreakerProbes, DefaultBreakerProbes)
	p.MaxInFlight = cmp.Or(p.MaxInFlight, DefaultMaxInFlight)
	p.MaxShare = cmp.Or(p.MaxShare, DefaultMaxShare)
	p.HedgeRatio = cmp.Or(p.HedgeRatio, DefaultHedgeRatio)
	p.HedgeMin = cmp.Or(p.HedgeMin, DefaultHedgeMin)
	return p
}

// Validate reports the first setting out of its range, by its spec name.
func (p Policy) Validate() error {
	var errs []error
	bad := func(ok bool, name string, v any, want string) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s=%v: want %s", name, v, want))
		}
	}
	bad(p.Timeout >= 0, "timeout", p.Timeout, ">= 0")
	bad(p.Attempts >= 0 && p.Attempts <= 10, "attempts", p.Attempts, "1..10")
	bad(p.Backoff >= 0, "backoff", p.Backoff, ">= 0")
	bad(p.BackoffMax >= 0, "backoff-max", p.BackoffMax, ">= 0")
	bad(p.RetryRatio >= 0 && p.RetryRatio <= 1, "retry-ratio", p.RetryRatio, "0..100%")
	bad(p.RetryMin >= 0, "retry-min", p.RetryMin, ">= 0")
	bad(p.BreakerWindow >= 0, "breaker-window", p.BreakerWindow, ">= 0")
	bad(p.BreakerMinCalls >= 0, "breaker-min-calls", p.BreakerMinCalls, ">= 0")
	bad(p.BreakerRatio >= 0 && p.BreakerRatio <= 1, "breaker-ratio", p.BreakerRatio, "0..100%")
	bad(p.BreakerConsecutive >= 0, "breaker-consecutive", p.BreakerConsecutive, ">= 0")
	bad(p.BreakerOpen >= 0, "breaker-open", p.BreakerOpen, ">= 0")
	bad(p.BreakerProbes >= 0, "breaker-probes", p.BreakerProbes, ">= 0")
	bad(p.MaxInFlight >= 0, "max-in-flight", p.MaxInFlight, ">= 0")
	bad(p.MaxShare >= 0 && p.MaxShare <= 1, "share", p.MaxShare, "0..100%")
	bad(p.Hedge >= 0, "hedge", p.Hedge, ">= 0")
	bad(p.HedgeRatio >= 0 && p.HedgeRatio <= 1, "hedge-ratio", p.HedgeRatio, "0..100%")
	bad(p.HedgeMin >= 0, "hedge-min", p.HedgeMin, ">= 0")
	return errors.Join(errs...)
}
