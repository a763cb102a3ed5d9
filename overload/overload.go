// Package overload keeps the gateway from collapsing past its capacity. It
// tells when the gateway itself is the bottleneck, from how long its
// goroutines wait to run (the Go scheduler's latency: on a saturated CPU,
// every goroutine queues) while no CPU it could use is idle, and
// admits requests under an adaptive concurrency limit: the limit shrinks
// while goroutines wait too long and requests are refused, and grows back
// when they do not. From calm, a load far past capacity is seen sooner,
// from the run queue itself: too many goroutines waiting to run for 10 ms
// in a row. A request past the limit is shed at once, cheaply, with
// 503 and Retry-After, instead of joining a queue where it and everyone
// else would answer late and mostly null. No client may hold more than
// its fair share of the limit, unless what it held in the last interval,
// while the CPU had room, allows it more (see Acquire), so one client's
// burst sheds that client rather than everyone.
//
// The signal is the gateway's own queueing on its own CPU, not its
// latency: a request that takes a second because its services take a
// second is not a sign of overload, and must not be shed; nor is a
// goroutine that waits for a moment while CPUs are idle (many calls
// completing at once, a garbage collection).
//
// It does not queue requests, does not weigh requests by cost (a client's
// share counts requests), and does not know about other replicas.
package overload

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
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
	// MaxIdle is the share of its CPUs (GOMAXPROCS) that may go unused
	// in an interval that counts towards an overload: with more idle CPU
	// than that, the CPU is not the bottleneck, however long goroutines
	// waited, and a limit lowered by an overload returns to where it was
	// at once. Default 0.1. (An outside benchmark saw 23% of 2 CPUs idle at
	// 500 requests/s of 1 s services, and the gateway then shed 2.5% of
	// them; past capacity none is idle.)
	MaxIdle float64
	// Interval is how often the limit adapts. Default 100ms.
	Interval time.Duration
	// Initial, Min and Max bound the limit on requests in flight.
	// Defaults 1000, 8 and 100,000.
	Initial, Min, Max int
	// MinShare is the least share of the limit any client may hold,
	// however many clients share it (each may hold max(MinShare, limit /
	// clients in flight), see Acquire). Default 2.
	MinShare int
	// Queue is how many goroutines per GOMAXPROCS may wait to run, as
	// Acquire reads it (at most every millisecond), for QueueFor in a row
	// before the gateway is overloaded at once, without waiting for
	// Adapt's intervals (see Acquire). Default 192. Measured on 2 cores:
	// at capacity 133 wait at the median and at most 419 (both Ps), with
	// 1 s services at most 273, in 5 ms samples; a load far past capacity
	// arriving at once passes 384 within 30 ms, with 100-150 requests in
	// flight.
	Queue int
	// QueueFor: see Queue. Default 10ms.
	QueueFor time.Duration
	// Runnable returns how many goroutines wait to run now; nil reads it
	// from runtime/metrics (RunnableGoroutines).
	Runnable func() int
	// Now returns the time; nil is time.Now.
	Now func() time.Time
	// Lag returns the scheduling latency since its last call; nil reads
	// its p90 from runtime/metrics (SchedLatency).
	Lag func() time.Duration
	// Idle returns the share of GOMAXPROCS that went unused since its last
	// call and that the process could have had; nil reads it from the
	// operating system (IdleCPU).
	Idle func() float64
	// Logger hears when the gateway becomes overloaded and when it stops
	// being so (warn level), and every adaptation (debug); nil discards.
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultTarget   = 2 * time.Millisecond
	DefaultMaxIdle  = 0.1
	DefaultInterval = 100 * time.Millisecond
	DefaultInitial  = 1000
	DefaultMin      = 8
	DefaultMax      = 100_000
	DefaultMinShare = 2
	DefaultQueue    = 192
	DefaultQueueFor = 10 * time.Millisecond
)

// Limiter admits requests under an adaptive limit. It is safe for
// concurrent use.
type Limiter struct {
	opts  Options
	epoch time.Time // when New made it: probedAt and queued count from it, on the monotonic clock (time.Now), so a step of the wall clock does not stop the reading

	busy     atomic.Bool
	probedAt atomic.Int64 // when Acquire last read the run queue, in ns since epoch
	lag      atomic.Int64 // the last scheduling latency seen, in ns
	shed     atomic.Int64 // requests refused so far

	mu       sync.Mutex
	limit    int
	inFlight int
	clients  map[string]client // per client with requests in flight in this interval or the last
	active   int               // clients with requests in flight
	peak     int               // most in flight since the last adaptation
	refused  int               // requests refused by the limit (not by a share) since then
	allow    allowance         // what a client may hold past its share, from the last interval
	share    int               // a client's share of the limit at the last adaptation
	bursters int               // a burst client's share of burstShare then (see client.burst)
	over     int               // requests in flight past their client's share then, less those finished
	admitted int64             // requests admitted so far
	queued   int64             // since when the run queue has been past Queue, in ns since epoch; 0 while it is not
	done     int64             // requests finished so far

	// Adapt's own state.
	recent                 [sustained]interval // the last intervals, newest first
	lastAdmitted, lastDone int64
	shedSince              int64 // shed when the last overload began
	sinceBusy              int   // intervals since the last overloaded one, up to hold
	ceiling                int   // the limit before the last overload began
	// burstShare, while an overload that began as one client's burst
	// lasts and for hold intervals after, is what the clients that held
	// past their share then (see client.burst) have a share of instead
	// of the limit: the most in flight when it began (0 otherwise).
	burstShare int
}

// New returns a Limiter. It adapts only once Run runs.
func New(o Options) *Limiter {
	if o.Target <= 0 {
		o.Target = DefaultTarget
	}
	if o.MaxIdle <= 0 {
		o.MaxIdle = DefaultMaxIdle
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
	if o.MinShare <= 0 {
		o.MinShare = DefaultMinShare
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.QueueFor <= 0 {
		o.QueueFor = DefaultQueueFor
	}
	if o.Runnable == nil {
		o.Runnable = RunnableGoroutines
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lag == nil {
		o.Lag = SchedLatency(0.9)
	}
	if o.Idle == nil {
		o.Idle = IdleCPU()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Limiter{opts: o, epoch: o.Now(), sinceBusy: hold, clients: map[string]client{}}
	l.limit = min(max(o.Initial, o.Min), o.Max)
	l.ceiling = l.limit
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
			l.Adapt(Sample{Lag: l.opts.Lag(), Idle: l.opts.Idle()})
		}
	}
}

// Sample is what the gateway's CPUs went through in one interval.
type Sample struct {
	// Lag is how long goroutines waited to run (SchedLatency).
	Lag time.Duration
	// Idle is the share of GOMAXPROCS that went unused and that the
	// process could have had (IdleCPU): 0 none, 1 all.
	Idle float64
}

// Adapt takes one step given the last interval's sample.
//
// The gateway becomes overloaded when, for three intervals in a row, the
// latency was over ten times Target, less than MaxIdle of its CPUs went
// unused, and requests kept arriving faster than they finished (its queue
// grew). Bursts (a garbage collection, a shared call waking hundreds of
// goroutines at once, new connections when traffic starts, a noisy
// neighbour, measured up to 800 ms, but not for three intervals with a
// growing queue and no idle CPU) pass, and so do slow services: requests
// pile up in flight, but CPUs are idle. A surge is overloaded sooner: two
// intervals in a row over Target, one of them over ten times it, less than
// MaxIdle of the CPUs unused on average, and more than twice as many
// requests arriving as finishing: a load far past capacity arriving at
// once. (In a benchmark at twice capacity, waiting for three severe
// intervals let 300-700 requests in, and the requests waiting behind them
// to be read were shed 300-800 ms late.) Sooner still, from calm, Acquire
// makes it overloaded as soon as the run queue has been too long for
// QueueFor (see Acquire). Soon after an overload (hold
// intervals), one such interval over ten times Target is enough again, so
// that a limit that just relaxed does not let a queue build for three
// intervals each time. A lesser one is not: at the load a burst leaves
// behind, blips of a few times Target re-tripped it every few tenths of a
// second for seconds, each time cutting the limit to 80% of what normal
// traffic held.
//
// While overloaded, the limit first drops to 80% of what was in flight,
// unless the overload is one client's burst (see burstOf: found by the
// run queue or here alike). Then the limit stays where it was, and the
// burst's clients have a share of what was in flight, not of the limit,
// while the overload lasts and for hold intervals after; an overload in
// that time is the same burst again (its backlog, or one calm interval
// amid it), unless the requests in flight grow to burstGrowth times what
// was in flight (more and more clients, each within its share): then
// it is an overload as any other. Otherwise, as long as the latency is
// over Target and requests were refused for want of room under the
// limit, the limit drops by another 20% each interval, or by half while
// the latency is over ten times Target (never below Min).
// Requests one client was refused past its share do not lower the limit,
// nor do requests it holds past its share keep others out: one client's
// burst cannot drive it down. Once the latency is under Target, the
// limit returns to where it was before the overload: four times as much
// each interval if at least MaxIdle of the CPUs went unused, twice as
// much if they did not but at most half the limit was in use (either way
// the load is gone; from Min, doubling took the 0.7-1 s a burst's
// recovery may have); else it grows by a tenth while mostly in use (never
// above Max).
func (l *Limiter) Adapt(s Sample) {
	l.lag.Store(int64(s.Lag))
	l.mu.Lock()
	peak, refused := l.peak, l.refused
	l.peak, l.refused = l.inFlight, 0
	step := interval{high: s.Lag > l.opts.Target, severe: s.Lag > severity*l.opts.Target,
		idle: s.Idle, saturated: s.Idle < l.opts.MaxIdle,
		arrived: l.admitted - l.lastAdmitted, finished: l.done - l.lastDone}
	l.lastAdmitted, l.lastDone = l.admitted, l.done
	copy(l.recent[1:], l.recent[:len(l.recent)-1])
	l.recent[0] = step

	was := l.busy.Load()
	var busy bool
	switch {
	case was:
		busy = step.high
	case l.sinceBusy < hold:
		busy = queueGrew(l.recent[:1], true)
	default:
		busy = queueGrew(l.recent[:sustained], true) || surged(l.recent[:surge], l.opts.MaxIdle)
	}
	limit, burst := l.limit, false
	switch {
	case busy && !was:
		burst = l.overloadBegins(peak, l.recent[0].arrived+l.recent[1].arrived)
		limit = l.limit
	case busy:
		l.sinceBusy = 0
		switch {
		case l.burstShare > 0 && peak > burstGrowth*l.burstShare:
			// Not one client's burst after all: more and more clients
			// hold their shares. An overload as any other from here.
			l.burstShare = 0
			limit = l.dropped(limit, peak)
		case refused > 0 && step.severe:
			limit = max(l.opts.Min, limit/2)
		case refused > 0:
			limit = max(l.opts.Min, limit*4/5)
		}
	case !step.high && (!step.saturated || peak*2 <= limit) && limit < l.ceiling:
		l.sinceBusy = min(l.sinceBusy+1, hold)
		growth := 2
		if !step.saturated { // CPUs to spare: the load is gone
			growth = 4
		}
		limit = min(l.ceiling, limit*growth)
	default:
		l.sinceBusy = min(l.sinceBusy+1, hold)
		if !step.high && peak*5 >= limit*4 {
			limit = min(l.opts.Max, limit+max(1, limit/10))
			l.ceiling = max(l.ceiling, limit)
		}
	}
	l.limit = limit
	if !busy && l.sinceBusy >= hold {
		l.burstShare = 0
	}
	l.busy.Store(busy)
	switch {
	case busy || limit < l.ceiling || step.high && (step.saturated || l.recent[1].high):
		l.allow = shareOnly
	case step.high:
		l.allow = quarter
	default:
		l.allow = double
	}
	l.reshare()
	for key, c := range l.clients {
		if c.held == 0 && c.peak == 0 {
			delete(l.clients, key)
			continue
		}
		c.last, c.peak = c.peak, c.held
		c.lastRefused, c.refused = c.refused, 0
		l.clients[key] = c
	}
	shedSince, shed, clients, over := l.shedSince, l.shed.Load(), l.active, l.over
	l.mu.Unlock() // log without holding up admissions

	l.opts.Logger.Debug("overload: adapted", "limit", limit, "in_flight", peak, "refused", refused,
		"sched_latency", s.Lag.String(), "idle_cpu", s.Idle, "arrived", step.arrived, "finished", step.finished, "busy", busy,
		"clients", clients, "past_share", over)
	switch {
	case busy && !was:
		l.opts.Logger.Warn("overloaded: shedding requests past the concurrency limit",
			"limit", limit, "in_flight", peak, "sched_latency", s.Lag.String(), "idle_cpu", s.Idle,
			"clients", clients, "past_share", over, "one_clients_burst", burst)
	case was && !busy:
		l.opts.Logger.Warn("no longer overloaded", "limit", limit, "shed", shed-shedSince)
	}
}

// overloadBegins starts an overload: the limit drops to 80% of peak
// (never under Min) from where it was, which it returns to once the
// overload is over; unless it is one client's burst (see burstOf): then
// the limit stays where it was, and the burst's clients have a share of
// peak. It reports whether it was. admitted is how many requests were
// admitted in this interval and the last. l.mu is held; the caller stores
// busy and the allowance.
func (l *Limiter) overloadBegins(peak int, admitted int64) bool {
	if l.burstShare > 0 {
		// Soon after one client's burst: its backlog, or a calm
		// interval amid it. The same burst, with the same clients.
		l.sinceBusy, l.queued, l.shedSince = 0, 0, l.shed.Load()
		return true
	}
	peak = min(l.limit, peak)
	l.sinceBusy, l.ceiling, l.queued = 0, max(l.ceiling, l.limit), 0
	l.limit = l.dropped(l.limit, peak)
	l.shedSince = l.shed.Load()
	l.reshare()
	sender, ok := l.burstOf(peak, admitted)
	if !ok {
		return false
	}
	l.limit, l.burstShare = l.ceiling, peak
	for key, c := range l.clients {
		c.burst = c.held > l.share || key == sender
		l.clients[key] = c
	}
	l.reshare()
	return true
}

// dropped is the limit an overload begins with: 80% of what was in
// flight (peak), or of limit if that is lower, and never under Min.
func (l *Limiter) dropped(limit, peak int) int {
	return max(l.opts.Min, min(limit, peak)*4/5)
}

// inBurst reports whether c is one of the clients of a burst that lasts
// (its mark is stale otherwise: overloadBegins sets every mark anew).
// l.mu is held.
func (l *Limiter) inBurst(c client) bool { return c.burst && l.burstShare > 0 }

// base is what c has a share of: burstShare while c is one of a burst's
// clients, else the limit. l.mu is held.
func (l *Limiter) base(c client) int {
	if l.inBurst(c) {
		return l.burstShare
	}
	return l.limit
}

// shareOf is c's share at the last adaptation. l.mu is held.
func (l *Limiter) shareOf(c client) int {
	if l.inBurst(c) {
		return l.bursters
	}
	return l.share
}

// reshare sets the clients' shares, and how many requests clients hold
// past theirs. l.mu is held.
func (l *Limiter) reshare() {
	active := max(1, l.active)
	l.share = max(l.opts.MinShare, l.limit/active)
	l.bursters = max(l.opts.MinShare, l.burstShare/active)
	l.over = 0
	for _, c := range l.clients {
		l.over += max(0, c.held-l.shareOf(c))
	}
}

// watchQueue reads how many goroutines wait to run, at most every
// probeEvery, and makes the gateway overloaded at once when more than
// Queue per GOMAXPROCS did at every reading for QueueFor (see Acquire).
func (l *Limiter) watchQueue() {
	now := int64(l.opts.Now().Sub(l.epoch))
	last := l.probedAt.Load()
	if now-last < int64(probeEvery) || !l.probedAt.CompareAndSwap(last, now) {
		return // read recently, or being read
	}
	waiting := l.opts.Runnable()
	l.mu.Lock()
	overloaded, burst := false, false
	switch {
	case waiting <= l.opts.Queue*runtime.GOMAXPROCS(0):
		l.queued = 0
	case l.queued == 0:
		l.queued = now
	case now-l.queued >= int64(l.opts.QueueFor) && l.sinceBusy >= hold:
		overloaded = true
		burst = l.overloadBegins(l.peak, l.admitted-l.lastAdmitted+l.recent[0].arrived)
		l.allow = shareOnly
		l.busy.Store(true)
	}
	limit, inFlight, clients, over := l.limit, l.inFlight, l.active, l.over
	l.mu.Unlock()
	if overloaded {
		l.opts.Logger.Warn("overloaded: shedding requests past the concurrency limit",
			"limit", limit, "in_flight", inFlight, "waiting_goroutines", waiting, "clients", clients, "past_share", over,
			"one_clients_burst", burst)
	}
}

// burstOf reports whether an overload beginning is one client's burst,
// with more than one client in flight, and if so which client sends it
// past its share ("" if it is told by what is held):
//   - holding the clients past their share to it cuts what is in flight
//     (peak) as much as the limit's drop does, and what they hold past it
//     is mostly one client's: not many clients each a little past a share
//     that the drop made small;
//   - or one client was refused past its share, in this interval and the
//     last, at least as many requests as all clients were admitted in
//     that time (admitted, and at least surgeMin), and at least three
//     quarters of all such refusals: it sends more than everyone else
//     together. Held to its share already, it still sends past it, and
//     it is what overloads the CPU: the others' requests in flight,
//     slowed, are then most of peak, and a limit cut to 80% of it would
//     shed them (in a benchmark, one client's burst at 1.5 times the
//     capacity, held to its share of 1,000 among 70-110 clients, 0-13
//     requests past a share the drop made 2).
//
// l.mu is held, and the shares are of the dropped limit (reshare).
func (l *Limiter) burstOf(peak int, admitted int64) (sender string, ok bool) {
	if l.active < 2 {
		return "", false
	}
	most, refused, all := 0, 0, 0
	for key, c := range l.clients {
		most = max(most, c.held-l.share)
		r := c.refused + c.lastRefused
		all += r
		if r > refused {
			refused, sender = r, key
		}
	}
	if int64(refused) >= max(surgeMin, admitted) && 4*refused >= 3*all {
		return sender, true
	}
	return "", l.over >= peak-l.limit && 2*most >= l.over
}

// probeEvery is how often at most Acquire reads the run queue.
const probeEvery = time.Millisecond

// interval is what one adaptation interval saw.
type interval struct {
	high, severe      bool    // the scheduling latency was over Target, over severity times it
	idle              float64 // the share of the CPUs that went unused
	saturated         bool    // less than MaxIdle of them did
	arrived, finished int64   // requests admitted and finished
}

// queueGrew reports whether every one of steps was slow (severely so, with
// severe) with the CPU saturated and, in all, more than a tenth more
// requests arrived than finished.
func queueGrew(steps []interval, severe bool) bool {
	var arrived, finished int64
	for _, s := range steps {
		if !s.high || !s.saturated || severe && !s.severe {
			return false
		}
		arrived += s.arrived
		finished += s.finished
	}
	return arrived > finished+finished/10+2
}

// surged reports whether in every one of steps goroutines waited past
// Target, severely so in one at least, while on average less than maxIdle
// of the CPUs went unused, and at least twice as many requests arrived as
// finished: a load far past capacity arriving at once, whose queue
// sustained intervals would let grow for their whole length.
func surged(steps []interval, maxIdle float64) bool {
	var arrived, finished int64
	var idle float64
	severe := false
	for _, s := range steps {
		if !s.high {
			return false
		}
		severe = severe || s.severe
		idle += s.idle
		arrived += s.arrived
		finished += s.finished
	}
	return severe && idle < maxIdle*float64(len(steps)) && arrived >= 2*finished+surgeMin
}

// burstGrowth is how many times the requests in flight when an overload
// began as one client's burst they may grow to before it is an overload
// as any other. (In a benchmark, the others' requests in flight, slower
// while the burst's backlog drained and its shed requests took CPU, grew
// to 2.4-4.2 times, and a bound of 4 cut the limit in 2 runs of 10, and
// shed the others 11% and 36%.)
const burstGrowth = 8

// How many slow intervals with a growing queue make the gateway overloaded,
// and for how many intervals after an overload one is enough.
const (
	sustained = 3
	hold      = 20
	severity  = 10
	// A surge is that many intervals in a row, with at least surgeMin
	// more requests arriving than twice those finishing.
	surge    = 2
	surgeMin = 20
)

// client is what a Limiter knows of one client.
type client struct {
	held       int // requests in flight
	peak, last int // the most held in this interval, and in the last
	// refused and lastRefused are the requests refused past its share
	// in this interval and in the last.
	refused, lastRefused int
	// burst: it held past its share, or sent past it (see burstOf), when
	// an overload began as one client's burst, and has a share of
	// burstShare, not of the limit, while that overload lasts and for
	// hold intervals after.
	burst bool
}

// allowance is what a client may hold past its share of the limit.
type allowance int

const (
	double    allowance = iota // twice what it held at most in the last interval, and surgeMin: goroutines did not wait
	quarter                    // a quarter more than it held at most in the last interval, and surgeMin: goroutines waited, with CPUs idle
	shareOnly                  // its share, no more: the CPU was contended, goroutines waited two intervals in a row, the gateway was overloaded or its limit is below where it was before
)

// Acquire admits a request from key (naming the client that sent it) if
// the limit allows, and then returns true; the caller must call Release
// with the same key when the request is done.
//
// A client may hold its share of the limit, max(MinShare, limit /
// clients in flight); what clients hold past their share does not count
// against the limit for the others. It may hold more only as its own
// load grows while the gateway has room, from what it held at most in
// the last interval:
//   - twice that and 20 more (surgeMin) if goroutines did not wait past Target
//     in that interval;
//   - a quarter more and 20 if they did with CPUs idle, but not in
//     the interval before (a blip: a garbage collection, many slow calls
//     completing at once);
//   - no more than its share if they waited two intervals in a row, idle
//     CPUs or not, or with no CPU idle (the CPU contended); while the
//     gateway is overloaded; while the limit is below where it was before
//     the last overload (the limit is then what clients contend for); and
//     while the limit is full.
//
// So a client's load may double every interval while goroutines do not
// wait, and grows through a blip, but one client's burst from nothing is
// held to its share at once. (In a benchmark, one client's burst at 1.5
// times the gateway's capacity, admitted until an interval read the CPU
// as contended, took in hundreds of requests; opening their connections
// to the services made goroutines wait 10-60 ms for half a second with
// CPUs idle, and the others were shed 40-100% while the backlog drained.
// Allowed to keep what it held while goroutines waited, it still held
// enough to overload the CPU in three runs of four.)
//
// Acquire also reads how many goroutines wait to run (at most every
// millisecond: about 80 ns, under the scheduler's lock). When more than
// Queue per GOMAXPROCS waited at every reading for QueueFor, and the
// gateway was not overloaded in the last hold intervals, it is overloaded
// from then on, as if Adapt had seen it: every client is held to its
// share, and the limit drops to 80% of the most in flight since the last
// adaptation, unless it is one client's burst (see Adapt and burstOf).
// Then the limit stays where it was, and the burst's clients have a share
// of that most in flight, the others of the limit, so that the others
// keep their room however slow the burst's backlog makes them. (Cutting
// the limit, the others' own requests in flight, slower while the
// burst's backlog drained, filled it, and Adapt halved it again: one
// client's burst shed a median 6% of the others' requests in 25 runs
// (0-21%); with the limit kept at that most, a median 2.7% in 53 (0-33%)
// and 4.5% in 50 more (0-34%); with the limit kept where it was, a median
// 0 in 42 (mean 2.3%, 0-32%); and with the burst told by Adapt too, by
// its client's refusals, and remembered (see Adapt), none in 31 runs,
// see BENCHMARKS.md.)
// At twice its capacity, arriving from calm, the surge rule
// still let 200-470 requests in over 200-400 ms, and the requests
// arriving then waited 150-290 ms to be read and shed: the Go scheduler
// reads the network only once its run queues are empty, or every 10 ms
// (runtime/proc.go: findRunnable, sysmon), so new requests wait behind
// the goroutines that admitted ones start. The run queue passes 384 (2
// Ps) within 30 ms, with 100-150 in flight. Later in an overload, Adapt's
// rules alone steer (with the queue read throughout, the same benchmark
// served 1,407-1,749 complete answers/s in 6 runs, against 1,705-1,740/s
// in the 4 runs of the rules alone between the first four).
func (l *Limiter) Acquire(key string) bool {
	l.watchQueue()
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[key]
	if l.inFlight-l.over >= l.limit {
		l.refused++
		l.shed.Add(1)
		return false
	}
	active := l.active
	if c.held == 0 {
		active++
	}
	share := max(l.opts.MinShare, l.base(c)/active)
	if l.inFlight < l.limit {
		switch l.allow {
		case quarter:
			share = max(share, c.last+c.last/4+surgeMin)
		case double:
			share = max(share, 2*c.last+surgeMin)
		}
	}
	if c.held >= share {
		c.refused++
		l.clients[key] = c
		l.shed.Add(1)
		return false
	}
	if c.held == 0 {
		l.active++
	}
	c.held++
	c.peak = max(c.peak, c.held)
	l.clients[key] = c
	l.inFlight++
	l.admitted++
	l.peak = max(l.peak, l.inFlight)
	return true
}

// Release ends a request Acquire admitted for key.
func (l *Limiter) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.clients[key]
	if !ok || c.held == 0 {
		return // not acquired: nothing to release
	}
	if c.held > l.shareOf(c) && l.over > 0 {
		l.over--
	}
	c.held--
	if c.held == 0 {
		l.active--
	}
	l.clients[key] = c
	l.inFlight--
	l.done++
}

// RetryAfter is how long a shed client should wait: two adaptations.
func (l *Limiter) RetryAfter() time.Duration { return 2 * l.opts.Interval }

// Busy reports whether the gateway is its own bottleneck now: its
// goroutines waited longer than Target to run in the last interval, with
// no CPU to spare. Timeouts it sees then are its own doing, not its
// services'.
func (l *Limiter) Busy() bool { return l.busy.Load() }

// Stats is the limiter's state, for metrics.
type Stats struct {
	Limit, InFlight int
	Clients         int // clients with requests in flight
	Lag             time.Duration
	Shed            int64
	Busy            bool
}

// Stats returns the limiter's state now.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{
		Limit:    l.limit,
		InFlight: l.inFlight,
		Clients:  l.active,
		Lag:      time.Duration(l.lag.Load()),
		Shed:     l.shed.Load(),
		Busy:     l.busy.Load(),
	}
}
