package simulator

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
)

// Call is one recorded request; see [Options.Record].
type Call struct {
	Service     string     // the service called, one of Services()
	Method      string     // the HTTP method, e.g. "GET"
	Path        string     // the request path as received, still escaped
	Query       url.Values // the parsed query string
	RequestID   string     // X-Request-Id as received
	TimeoutMs   string     // X-Timeout-Ms as received
	Traceparent string     // traceparent as received
	Subject     string     // X-Auth-Subject as received (the caller the gateway authenticated)
	Proto       string     // r.Proto, e.g. "HTTP/1.1" or "HTTP/2.0"
	IDs         []string   // the ids of a batch call (its declared ids parameter) as sent, else nil
	Fault       Fault      // the fault applied to this call, FaultNone if none
}

// Stats counts what a service saw since [New] or the last
// [Simulator.ResetStats].
type Stats struct {
	// Calls counts requests received, rejected ones included.
	Calls int
	// Canceled counts requests whose caller went away (request context
	// done) before the handler finished, as the handler observed it while
	// waiting; a hang-ignore-cancel never counts.
	Canceled int
	// GaveUp counts requests the handler gave up on, aborting the
	// response, because their X-Timeout-Ms budget plus [TimeoutGrace]
	// ran out while it waited with the caller still there. A caller that
	// went away first counts as Canceled instead.
	GaveUp int
	// Faults counts requests answered with a fault.
	Faults int
	// InFlight is how many requests are being handled now. ResetStats
	// leaves it alone, since those handlers are still running.
	InFlight int
	// PeakInFlight is the most requests handled at once since New (or
	// ResetStats).
	PeakInFlight int
}

// serviceState is what a Simulator keeps per service, guarded by its mu.
type serviceState struct {
	stats   Stats
	calls   []*Call
	rng     *rand.Rand // the service's own random stream
	planned int        // calls planned since the behaviour was set, for FaultCalls
}

// Calls returns a copy of the calls a service recorded, in arrival order.
// It is empty unless [Options.Record] is set.
func (s *Simulator) Calls(service string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.services[service]
	if st == nil {
		return nil
	}
	out := make([]Call, len(st.calls))
	for i, c := range st.calls {
		out[i] = *c
		out[i].Query = cloneValues(c.Query)
		out[i].IDs = slices.Clone(c.IDs)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Stats returns what a service saw; zero for an unknown service.
func (s *Simulator) Stats(service string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.services[service]; st != nil {
		return st.stats
	}
	return Stats{}
}

// ResetStats zeroes the stats and the call log of every service, except
// the in-flight gauges.
func (s *Simulator) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.services {
		st.stats = Stats{InFlight: st.stats.InFlight, PeakInFlight: st.stats.InFlight}
		st.calls = nil
	}
	s.notifyLocked()
}

// WaitFor blocks until cond(s.Stats(service)) is true, returning nil, or
// until ctx ends, returning ctx.Err(). It checks cond at once and again
// after every change of any service's stats; it never polls. cond runs
// without locks held and should be quick.
func (s *Simulator) WaitFor(ctx context.Context, service string, cond func(Stats) bool) error {
	for {
		s.mu.Lock()
		var st Stats
		if ss := s.services[service]; ss != nil {
			st = ss.stats
		}
		changed := s.changed
		s.mu.Unlock()
		if cond(st) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notifyLocked wakes every WaitFor; s.mu must be held.
func (s *Simulator) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// begin counts and maybe records a call and, when it is admitted (its
// headers passed), plans it from the service's behaviour and stream.
// Counting and planning share one critical section, so the draws follow
// the order in which the service's calls are counted and a concurrent
// SetBehavior cannot come between a behaviour and its FaultCalls count.
// It reports false, counting nothing, once the simulator is closed; else
// the caller must call end.
func (s *Simulator) begin(svc string, r *http.Request, ids []string, admitted bool) (*Call, plan, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, plan{}, false
	}
	s.handlers.Add(1)
	st := s.services[svc]
	st.stats.Calls++
	st.stats.InFlight++
	st.stats.PeakInFlight = max(st.stats.PeakInFlight, st.stats.InFlight)
	var c *Call
	if s.record {
		c = &Call{
			Service:     svc,
			Method:      r.Method,
			Path:        r.URL.EscapedPath(),
			Query:       r.URL.Query(),
			RequestID:   r.Header.Get("X-Request-Id"),
			TimeoutMs:   r.Header.Get("X-Timeout-Ms"),
			Traceparent: r.Header.Get("Traceparent"),
			Subject:     r.Header.Get("X-Auth-Subject"),
			Proto:       r.Proto,
			IDs:         ids,
		}
		st.calls = append(st.calls, c)
	}
	s.notifyLocked()
	var p plan
	if admitted {
		// Draw both at once, so the wait knows whether to ignore the caller.
		b := s.behaviors[svc]
		p.delay = b.Latency.draw(st.rng)
		var key uint64
		if b.FaultPerCall {
			key = callKey(s.seed, svc, r.URL)
		}
		if b.faultApplies(st.rng, st.planned, key) {
			p.fault = b.Fault
		}
		p.ids = b.present(s.seed, svc, ids)
		st.planned++
	}
	return c, p, true
}

// end undoes begin's in-flight count once the handler is done.
func (s *Simulator) end(svc string) {
	s.mu.Lock()
	s.services[svc].stats.InFlight--
	s.notifyLocked()
	s.mu.Unlock()
	s.handlers.Done()
}

// canceled counts a caller that went away while the handler waited.
func (s *Simulator) canceled(svc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc].stats.Canceled++
	s.notifyLocked()
}

// gaveUp counts a call given up on because its budget ran out.
func (s *Simulator) gaveUp(svc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc].stats.GaveUp++
	s.notifyLocked()
}

// faulted counts a call answered with fault f and notes f on its record.
func (s *Simulator) faulted(svc string, c *Call, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc].stats.Faults++
	if c != nil {
		c.Fault = f
	}
	s.notifyLocked()
}
