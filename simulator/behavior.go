package simulator

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
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
	// FaultDuplicateKeys answers 200 with the real answer in which every
	// object's first member comes twice: the second time with a decoy
	// value where the member is an id ("id", or a key ending in "Id"):
	// another entity's ({"id":"u2",...} gets "id":"u3" after it); as it
	// was otherwise. A reader where the last of equal keys wins reads the
	// decoys.
	FaultDuplicateKeys Fault = "duplicate-keys"
	// FaultCaseKeys is FaultDuplicateKeys with the second key in another
	// letter case: its first letter's case flipped ({"id":"u2","Id":"u3",
	// ...}). A reader that matches keys case-insensitively reads the
	// decoys.
	FaultCaseKeys Fault = "case-keys"
)

// faults lists every fault but FaultNone, for parsing and tests.
var faults = [...]Fault{
	FaultStatus500, FaultStatus503, FaultNotFound, FaultHang, FaultHangIgnoreCancel,
	FaultSlowBody, FaultMalformed, FaultWrongShape, FaultOversized, FaultReset, FaultGarbage,
	FaultDuplicateKeys, FaultCaseKeys,
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
	// Sigma, when above zero, draws the delay from a log-normal
	// distribution instead, as real services' latencies are: its median
	// is Min and its logarithm's standard deviation Sigma (0.5 puts the
	// p99 at 3.2 times the median); Max is unused.
	Sigma float64
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
	if l.Sigma > 0 {
		return time.Duration(float64(l.Min) * math.Exp(l.Sigma*r.NormFloat64()))
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
	// FaultPerCall makes FaultRate pick calls by what they ask rather than
	// by a draw: a call gets Fault when a hash of [Options.Seed], the
	// service, the call's path and its query (parameters sorted by name,
	// the ids of a batch sorted, each once) falls in the FaultRate share.
	// Whether a call fails is then a pure function of the call, whatever
	// order calls come in and however long they take: the same call fails
	// every time, from every caller, which is what lets two callers that
	// make the same calls in different orders see the same world. Headers
	// (X-Request-Id, X-Timeout-Ms) are not part of the call. The latency
	// is still drawn from the service's stream. A batch call's ids depend
	// on what was asked together, so for batch endpoints AbsentShare is
	// the order-free choice. FaultCalls, when set, wins; a FaultRate of 0
	// or 1 hits every call, as without it. Default false: a draw.
	FaultPerCall bool
	// AbsentShare makes the batch endpoints (profile's /v1/users?ids=,
	// catalog's /v1/products?ids=) answer a fixed share (0..1) of ids as
	// absent, as they answer unknown ids: left out of the answer. Whether
	// an id is absent is a hash of [Options.Seed], the service and the id,
	// so an id is absent in every call it comes in, whichever ids share
	// that call. It applies to whatever a batch answers, faulty answers
	// (malformed, slow-body, ...) included; other endpoints ignore it.
	// Default 0: every known id is found.
	AbsentShare float64
}

// faultApplies reports whether b's fault hits a call that prior calls
// preceded since b was set: by count when FaultCalls is set, by the
// call's key (see callKey) when FaultPerCall is set, else by a draw from
// r at FaultRate. Only a rate strictly inside (0, 1) draws or reads key.
func (b Behavior) faultApplies(r *rand.Rand, prior int, key uint64) bool {
	switch {
	case b.Fault == FaultNone:
		return false
	case b.FaultCalls > 0:
		return prior < b.FaultCalls
	case b.FaultRate <= 0 || b.FaultRate >= 1:
		return true
	case b.FaultPerCall:
		return unit(key) < b.FaultRate
	}
	return r.Float64() < b.FaultRate
}

// present returns the ids b does not answer as absent (AbsentShare), in
// their order, in a new slice: ids may be a recorded call's.
func (b Behavior) present(seed uint64, svc string, ids []string) []string {
	if b.AbsentShare <= 0 || ids == nil {
		return ids
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if unit(hashKey(seed, svc, id)) >= b.AbsentShare {
			out = append(out, id)
		}
	}
	return out
}

// callKey is what FaultPerCall decides by: a hash of seed, svc, u's path
// and its query without what varies between equal calls (the order of
// parameters, and of a batch's ids and their repeats).
func callKey(seed uint64, svc string, u *url.URL) uint64 {
	q := u.Query()
	for name, vals := range q {
		if name == "ids" {
			ids := splitIDs(vals)
			slices.Sort(ids)
			q[name] = []string{strings.Join(slices.Compact(ids), ",")}
		}
	}
	return hashKey(seed, svc, u.EscapedPath(), q.Encode())
}

// hashKey hashes seed and parts, each part ended by a NUL so that no two
// lists of parts run together the same way.
func hashKey(seed uint64, parts ...string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// unit maps a hash to [0, 1), mixed first (SplitMix64's finalizer) since
// FNV's high bits follow the last bytes of the input poorly.
func unit(h uint64) float64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return float64(h>>11) / (1 << 53)
}

// Seed returns the behaviour of the original aggregator's simulated
// services: every service waits uniformly 100ms..1000ms, and orders fails
// with 500 on 30% of its calls. The map is fresh on every call.
func Seed() map[string]Behavior {
	return presets()["seed"].behaviors()
}
