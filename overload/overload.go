// Package overload keeps the gateway from collapsing past its capacity. It
// tells when the gateway itself is the bottleneck, from how long its
// goroutines wait to run (the Go scheduler's latency: on a saturated CPU,
// every goroutine queues), and admits requests under an adaptive
// concurrency limit: the limit shrinks while goroutines wait too long and
// grows while they do not and the limit is in use. A request past the limit
// is shed at once, cheaply, with 503 and Retry-After, instead of joining a
// queue where it and everyone else would answer late and mostly null.
//
// The signal is the gateway's own queueing, not its latency: a request that
// takes a second because its services take a second is not a sign of
// overload, and must not be shed.
package overload

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Options configure a Limiter. Zero fields take their defaults.
type Options struct {
	// Target is the scheduling latency (p90 over Interval) above which the
	// gateway's limit steers down once it is overloaded (see Adapt). Default
	// 2ms. Measured on 2 cores: p90 stays under 1 ms at a busy but healthy
	// load (the p99 is spiky: a shared call that completes wakes hundreds of
	// goroutines at once, and reached 5 ms), and goes to hundreds of
	// milliseconds past capacity. A lower target sheds sooner and answers
	// the shed requests faster (shed p99 39 ms at 2 ms, 61 ms at 5 ms).
	Target time.Duration
	// Interval is how often the limit adapts. Default 100ms.
	Interval time.Duration
	// Initial, Min and Max bound the limit on requests in flight.
	// Defaults 1000, 8 and 100,000.
	Initial, Min, Max int
	// Lag returns the scheduling latency since its last call; nil reads
	// its p90 from runtime/metrics (SchedLatency).
	Lag func() time.Duration
	// Logger hears when the gateway becomes overloaded and when it stops
	// being so (warn level); nil discards.
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultTarget   = 2 * time.Millisecond
	DefaultInterval = 100 * time.Millisecond
	DefaultInitial  = 1000
	DefaultMin      = 8
	DefaultMax      = 100_000
)

// Limiter admits requests under an adaptive limit. It is safe for
// concurrent use.
type Limiter struct {
	opts Options

	limit    atomic.Int64
	inFlight atomic.Int64
	peak     atomic.Int64 // most in flight since the last adaptation
	busy     atomic.Bool
	lag      atomic.Int64 // the last scheduling latency seen, in ns
	shed     atomic.Int64 // requests refused so far

	admitted, done atomic.Int64 // requests admitted and finished so far

	// Adapt's own state.
	recent                 [sustained]interval // the last intervals, newest first
	lastAdmitted, lastDone int64
	shedSince              int64 // shed when the last overload began
	sinceBusy              int   // intervals since the last overloaded one, up to hold
}

// New returns a Limiter. It adapts only once Run runs.
func New(o Options) *Limiter {
	if o.Target <= 0 {
		o.Target = DefaultTarget
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Initial <= 0 {
		o.Initial = DefaultInitial
	}
	if o.Min <= 0 {
		o.Min = DefaultMin
	}
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	if o.Lag == nil {
		o.Lag = SchedLatency(0.9)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Limiter{opts: o, sinceBusy: hold}
	l.limit.Store(int64(min(max(o.Initial, o.Min), o.Max)))
	return l
}

// Run adapts the limit every Interval until ctx ends.
func (l *Limiter) Run(ctx context.Context) {
	t := time.NewTicker(l.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Adapt(l.opts.Lag())
		}
	}
}

// Adapt takes one step given the scheduling latency of the last interval.
//
// The gateway becomes overloaded when, for three intervals in a row, the
// latency was over ten times Target and requests kept arriving faster than
// they finished (its queue grew). Bursts (a garbage collection, a shared
// call waking hundreds of goroutines at once, new connections when traffic
// starts, a noisy neighbour on a virtual machine: measured up to 42 ms, but
// not for three intervals with a growing queue) pass, and so does a busy
// machine whose work is not the gateway's; a real overload goes to hundreds
// of milliseconds. Soon after an overload (Hold intervals), one interval
// over Target with a growing queue is enough again, so that a limit that
// just relaxed does not let a queue build for three intervals each time.
// While overloaded, the limit drops to 80% of what was in use (never below
// Min) as long as the latency is over Target; under Target, a limit mostly
// in use grows by a tenth (never above Max).
func (l *Limiter) Adapt(lag time.Duration) {
	l.lag.Store(int64(lag))
	peak := l.peak.Swap(l.inFlight.Load())
	admitted, done := l.admitted.Load(), l.done.Load()
	step := interval{high: lag > l.opts.Target, severe: lag > severity*l.opts.Target,
		arrived: admitted - l.lastAdmitted, finished: done - l.lastDone}
	l.lastAdmitted, l.lastDone = admitted, done
	copy(l.recent[1:], l.recent[:len(l.recent)-1])
	l.recent[0] = step

	var busy bool
	switch {
	case l.busy.Load():
		busy = step.high
	case l.sinceBusy < hold:
		busy = queueGrew(l.recent[:1], false)
	default:
		busy = queueGrew(l.recent[:sustained], true)
	}
	limit := l.limit.Load()
	if busy {
		l.sinceBusy = 0
		limit = max(int64(l.opts.Min), min(limit, peak)*4/5)
	} else {
		l.sinceBusy = min(l.sinceBusy+1, hold)
		if !step.high && peak*5 >= limit*4 {
			limit = min(int64(l.opts.Max), limit+max(1, limit/10))
		}
	}
	l.limit.Store(limit)
	if was := l.busy.Swap(busy); was != busy {
		if busy {
			l.shedSince = l.shed.Load()
			l.opts.Logger.Warn("overloaded: shedding requests past the concurrency limit",
				"limit", limit, "in_flight", peak, "sched_latency", lag.String())
		} else {
			l.opts.Logger.Warn("no longer overloaded", "limit", limit, "shed", l.shed.Load()-l.shedSince)
		}
	}
}

// interval is what one adaptation interval saw.
type interval struct {
	high, severe      bool  // the scheduling latency was over Target, over severity times it
	arrived, finished int64 // requests admitted and finished
}

// queueGrew reports whether every one of steps was slow (severely so, with
// severe) and, in all, more than a tenth more requests arrived than
// finished.
func queueGrew(steps []interval, severe bool) bool {
	var arrived, finished int64
	for _, s := range steps {
		if !s.high || severe && !s.severe {
			return false
		}
		arrived += s.arrived
		finished += s.finished
	}
	return arrived > finished+finished/10+2
}

// How many slow intervals with a growing queue make the gateway overloaded,
// and for how many intervals after an overload one is enough.
const (
	sustained = 3
	hold      = 20
	severity  = 10
)

// Acquire admits a request if the limit allows, and then returns true;
// the caller must call Release when the request is done.
func (l *Limiter) Acquire() bool {
	n := l.inFlight.Add(1)
	if n > l.limit.Load() {
		l.inFlight.Add(-1)
		l.shed.Add(1)
		return false
	}
	l.admitted.Add(1)
	for {
		p := l.peak.Load()
		if n <= p || l.peak.CompareAndSwap(p, n) {
			return true
		}
	}
}

// Release ends a request Acquire admitted.
func (l *Limiter) Release() {
	l.inFlight.Add(-1)
	l.done.Add(1)
}

// RetryAfter is how long a shed client should wait: two adaptations.
func (l *Limiter) RetryAfter() time.Duration { return 2 * l.opts.Interval }

// Busy reports whether the gateway is its own bottleneck now: its
// goroutines waited longer than Target to run in the last interval.
// Timeouts it sees then are its own doing, not its services'.
func (l *Limiter) Busy() bool { return l.busy.Load() }

// Stats is the limiter's state, for metrics.
type Stats struct {
	Limit, InFlight int
	Lag             time.Duration
	Shed            int64
	Busy            bool
}

// Stats returns the limiter's state now.
func (l *Limiter) Stats() Stats {
	return Stats{
		Limit:    int(l.limit.Load()),
		InFlight: int(l.inFlight.Load()),
		Lag:      time.Duration(l.lag.Load()),
		Shed:     l.shed.Load(),
		Busy:     l.busy.Load(),
	}
}
