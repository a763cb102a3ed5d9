package simulator

import (
	"math/rand/v2"
	"time"
)

// Fault is a way a simulated service misbehaves. Latency, when configured,
// is waited out before any fault is applied; that wait ends early, like a
// hang, when the caller goes away or the call's X-Timeout-Ms budget runs
// out, unless the fault is FaultHangIgnoreCancel.
type Fault string

// The faults a service can be told to inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = ""
	// FaultStatus500 answers 500 with a small JSON error body.
	FaultStatus500 Fault = "500"
	// FaultStatus503 answers 503 with the header Retry-After: 1.
	FaultStatus503 Fault = "503"
	// FaultNotFound answers 404 {"error":"not found"} on any endpoint.
	FaultNotFound Fault = "404"
	// FaultHang never answers; the handler returns when the caller goes
	// away (request context done), and aborts the response when the
	// call's X-Timeout-Ms budget runs out (see [TimeoutGrace]) or the
	// simulator closes.
	FaultHang Fault = "hang"
	// FaultHangIgnoreCancel never answers and ignores the caller going
	// away and X-Timeout-Ms, also during the latency before it; the
	// handler returns only when the simulator closes.
	FaultHangIgnoreCancel Fault = "hang-ignore-cancel"
	// FaultSlowBody sends the status (200 for a healthy answer) and the
	// headers at once, then trickles the real answer one byte every 20ms,
	// flushing each. It ignores the caller going away and X-Timeout-Ms
	// (the latency before it does not) and stops at the first write error,
	// or aborts when the simulator closes.
	FaultSlowBody Fault = "slow-body"
	// FaultMalformed answers 200 with Content-Type application/json and
	// the real answer cut in half.
	FaultMalformed Fault = "malformed"
	// FaultWrongShape answers 200 with valid JSON that lacks required
	// fields: objects reduced to their id, or {"unexpected":true}.
	FaultWrongShape Fault = "wrong-shape"
	// FaultOversized answers with the real status (200 for a healthy
	// answer) and the real answer padded by a huge "padding" string field
	// to over 4 MiB of valid JSON, written in chunks without a length.
	FaultOversized Fault = "oversized"
	// FaultReset resets the TCP connection without any response. HTTP/2
	// connections cannot be hijacked, so there the stream is aborted.
	FaultReset Fault = "reset"
	// FaultGarbage answers 200, claiming application/json, with an HTML
	// error page.
	FaultGarbage Fault = "garbage"
)

// faults lists every fault but FaultNone, for parsing and tests.
var faults = [...]Fault{
	FaultStatus500, FaultStatus503, FaultNotFound, FaultHang, FaultHangIgnoreCancel,
	FaultSlowBody, FaultMalformed, FaultWrongShape, FaultOversized, FaultReset, FaultGarbage,
}

// valid reports whether f is FaultNone or one of the known faults.
func (f Fault) valid() bool {
	if f == FaultNone {
		return true
	}
	for _, known := range faults {
		if f == known {
			return true
		}
	}
	return false
}

// Latency is how long a service takes before it answers, faults included.
// The zero value adds no delay.
type Latency struct {
	// Min and Max bound a delay drawn uniformly from [Min, Max].
	// Max <= Min means always Min; both zero means no delay.
	Min, Max time.Duration
	// TailShare is the share of calls (0..1) that take Tail instead of the
	// uniform draw, for a long-tail profile. Zero: no tail.
	TailShare float64
	// Tail is the delay of the tail calls.
	Tail time.Duration
}

// draw picks one delay from l using r. It is a pure function of r's state,
// so tests can check the distribution without waiting.
func (l Latency) draw(r *rand.Rand) time.Duration {
	if l.TailShare > 0 && r.Float64() < l.TailShare {
		return l.Tail
	}
	if l.Max <= l.Min {
		return l.Min
	}
	return l.Min + time.Duration(r.Int64N(int64(l.Max-l.Min)+1))
}

// Behavior is how one service behaves. The zero value is a healthy service
// with no delay.
type Behavior struct {
	// Latency delays every call, faulty or not.
	Latency Latency
	// Fault is injected into a share of the calls; FaultNone disables it.
	Fault Fault
	// FaultRate is the share of calls (0..1] that get Fault; 0 with a Fault
	// set means every call. FaultCalls, when set, overrides it.
	FaultRate float64
	// FaultCalls, when > 0, makes Fault hit exactly the first FaultCalls
	// calls the service receives after the behaviour was set ([New] or
	// [Simulator.SetBehavior] restarts the count; ResetStats does not),
	// whatever FaultRate says, and no call after them: fault=503x2 answers
	// 503 twice, then heals. Calls rejected for bad headers (see
	// [Options.RequireHeaders]) do not count; a call whose caller leaves
	// during the latency before its fault does. Zero or negative: FaultRate
	// decides.
	FaultCalls int
}

// faultApplies reports whether b's fault hits a call that prior calls
// preceded since b was set: by count when FaultCalls is set, else by a
// draw from r at FaultRate. Only a rate strictly inside (0, 1) draws.
func (b Behavior) faultApplies(r *rand.Rand, prior int) bool {
	switch {
	case b.Fault == FaultNone:
		return false
	case b.FaultCalls > 0:
		return prior < b.FaultCalls
	case b.FaultRate <= 0 || b.FaultRate >= 1:
		return true
	}
	return r.Float64() < b.FaultRate
}

// Seed returns the behaviour of the original aggregator's simulated
// services: every service waits uniformly 100ms..1000ms, and orders fails
// with 500 on 30% of its calls. The map is fresh on every call.
func Seed() map[string]Behavior {
	return presets()["seed"].behaviors()
}
