package acceptance_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// matrixQuery reaches every service once; products only through orders, so
// the catalog gets exactly one batch.
const matrixQuery = `{ dashboard(userId: "u2") {
	profile { name }
	orders { id items { quantity product { name } } shipment { status } }
	recommendations { score }
	notifications { unreadCount }
	wallet { loyaltyPoints }
} }`

// The timings of the matrix: the failing service gets a 300 ms attempt
// timeout (long enough that a healthy answer on a loaded machine never hits
// it), quick backoff, and hedges after 100 ms; the other services keep the
// defaults. The request deadline is the default 1.5 s.
const (
	matrixTimeout  = 300 * time.Millisecond
	matrixDeadline = 1500 * time.Millisecond
	matrixHedge    = 100 * time.Millisecond
)

// cell is what one fault should produce under one policy.
type cell struct {
	code     string // "" means the field has its data
	reason   string
	calls    int           // calls the failing service receives (attempts, hedges included)
	hedges   int           // of those, hedges the cell is built to cause
	min, max time.Duration // bounds of the response time
	released bool          // the service sees every call it got end (cancelled or given up)
}

// A fault matrix: each service a request reaches × each fault × each
// policy, over real HTTP. Every cell checks the failing field's value or
// null and code, that every other field is intact, the response time, and
// the exact number of calls the service received.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix takes about a minute")
	}
	policies := []struct {
		name string
		spec string
		// expect returns the cell of a fault under the policy.
		expect func(fault string) cell
	}{
		{"retries", "timeout=300ms,backoff=10ms,backoff-max=20ms", func(fault string) cell {
			return expectations(fault, 2, 0)
		}},
		{"no retries", "timeout=300ms,attempts=1", func(fault string) cell {
			return expectations(fault, 1, 0)
		}},
		{"hedged", "timeout=300ms,backoff=10ms,backoff-max=20ms,hedge=100ms", func(fault string) cell {
			return expectations(fault, 2, matrixHedge)
		}},
	}
	faults := []string{"healthy", "500", "30% errors", "503 with Retry-After", "slow beyond its timeout", "hang",
		"hang ignoring cancellation", "slow trickling body", "malformed JSON", "oversized body", "connection reset", "connection refused"}

	for _, policy := range policies {
		for _, svc := range gatewaytest.Reached() {
			for _, fault := range faults {
				t.Run(policy.name+"/"+svc+"/"+fault, func(t *testing.T) {
					// Cells mostly wait on timeouts, each with its own
					// gateway and simulator: -parallel (GOMAXPROCS) at
					// once halves the matrix's time, which under -race
					// -count=3 neared go test's 10-minute default.
					t.Parallel()
					want := policy.expect(fault)
					o := gatewaytest.Options{
						Deadline:  matrixDeadline,
						Policies:  map[downstream.Service]string{downstream.Service(svc): policy.spec},
						Behaviors: map[string]simulator.Behavior{},
					}
					if fault == "connection refused" {
						o.URLs = map[downstream.Service]string{downstream.Service(svc): "http://" + gatewaytest.RefusedAddr(t)}
					} else {
						o.Behaviors[svc] = behaviorOf(fault)
					}
					e := gatewaytest.New(t, o)
					r := e.Post(t, matrixQuery, nil, "X-Request-Id", "req-matrix")

					if fault == "30% errors" { // the simulator's seeded draw decides
						if calls := e.Sim.Calls(svc); len(calls) == 1 && calls[0].Fault == simulator.FaultStatus500 {
							want.code, want.reason = "UPSTREAM_ERROR", "bad_status"
						}
					}
					checkCell(t, e, r, svc, fault, want)
				})
			}
		}
	}
}

// expectations returns the cell of a fault when the policy allows attempts
// attempts and hedges after hedge (0: no hedging).
func expectations(fault string, attempts int, hedge time.Duration) cell {
	const fast = 400 * time.Millisecond // anything that does not wait on a timeout
	timedOut := func() cell {
		if hedge > 0 { // the hedge uses the second attempt: both time out together
			return cell{code: "UPSTREAM_TIMEOUT", calls: 2, hedges: 1, min: hedge + matrixTimeout, max: hedge + matrixTimeout + margin}
		}
		n := time.Duration(attempts)
		return cell{code: "UPSTREAM_TIMEOUT", calls: attempts, min: n * matrixTimeout, max: n*matrixTimeout + 20*time.Millisecond + margin}
	}
	switch fault {
	case "healthy", "30% errors":
		return cell{calls: 1, max: fast}
	case "500":
		return cell{code: "UPSTREAM_ERROR", reason: "bad_status", calls: 1, max: fast}
	case "503 with Retry-After": // 503 once, Retry-After: 1
		if attempts == 1 {
			return cell{code: "UPSTREAM_ERROR", reason: "bad_status", calls: 1, max: fast}
		}
		return cell{calls: 2, min: time.Second, max: time.Second + margin}
	case "slow beyond its timeout", "hang":
		c := timedOut()
		c.released = true
		return c
	case "hang ignoring cancellation", "slow trickling body":
		return timedOut()
	case "malformed JSON":
		return cell{code: "UPSTREAM_ERROR", reason: "invalid_response", calls: 1, max: fast}
	case "oversized body":
		return cell{code: "UPSTREAM_ERROR", reason: "response_too_large", calls: 1, max: fast}
	case "connection reset":
		return cell{code: "UPSTREAM_ERROR", reason: "connection_failed", calls: attempts, max: fast}
	case "connection refused":
		return cell{code: "UPSTREAM_ERROR", reason: "connection_failed", calls: 0, max: fast}
	}
	panic("unknown fault " + fault)
}

// behaviorOf is the simulator's behaviour for a fault of the matrix; an
// unknown name (and "connection refused": no server) is healthy.
func behaviorOf(fault string) simulator.Behavior {
	return map[string]simulator.Behavior{
		"500":                        {Fault: simulator.FaultStatus500},
		"30% errors":                 {Fault: simulator.FaultStatus500, FaultRate: 0.3},
		"503 with Retry-After":       {Fault: simulator.FaultStatus503, FaultCalls: 1},
		"slow beyond its timeout":    {Latency: simulator.Latency{Min: 400 * time.Millisecond}},
		"hang":                       {Fault: simulator.FaultHang},
		"hang ignoring cancellation": {Fault: simulator.FaultHangIgnoreCancel},
		"slow trickling body":        {Fault: simulator.FaultSlowBody},
		"malformed JSON":             {Fault: simulator.FaultMalformed},
		"oversized body":             {Fault: simulator.FaultOversized},
		"connection reset":           {Fault: simulator.FaultReset},
	}[fault]
}

func checkCell(t *testing.T, e *gatewaytest.Gateway, r gatewaytest.Result, svc, fault string, want cell) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d; want 200", r.Status)
	}
	d := r.Dashboard(t)
	paths := gatewaytest.FailedPaths(d, svc, false)

	// The field's value, or null with the right error.
	byPath := r.ErrorsByPath()
	if want.code == "" {
		if len(r.GQL.Errors) > 0 {
			t.Errorf("errors %+v; want none", r.GQL.Errors)
		}
		gatewaytest.AssertIntact(t, d, "", false)
	} else {
		if len(r.GQL.Errors) != len(paths) {
			t.Errorf("%d errors; want %d: %+v", len(r.GQL.Errors), len(paths), r.GQL.Errors)
		}
		for _, p := range paths {
			err := byPath[p]
			if err.Code() != want.code || err.Service() != svc || err.Extensions["reason"] != nilIfEmpty(want.reason) {
				t.Errorf("error at %s = %+v; want %s (reason %q) from %s", p, err, want.code, want.reason, svc)
			}
		}
		gatewaytest.AssertClean(t, r.GQL.Errors)
		gatewaytest.AssertIntact(t, d, svc, false)
	}

	// The response time.
	if r.Elapsed < want.min || r.Elapsed > want.max {
		t.Errorf("answered after %v; want %v..%v", r.Elapsed, want.min, want.max)
	}

	// The exact calls: the failing service's, and one for every other
	// service that had something to answer. A call that is slow only
	// because the machine is busy may be hedged too: the gateway logs each
	// hedge, and each must show as one more call.
	hedges := 0
	for _, l := range e.Logs.Lines() {
		if l["decision"] == "hedged" && l["service"] == svc {
			hedges++
		}
	}
	if hedges < want.hedges {
		t.Errorf("%d hedges logged; want %d", hedges, want.hedges)
	}
	calls := e.CallCounts()
	for _, s := range gatewaytest.Reached() {
		wantCalls := 1
		switch {
		case s == svc:
			wantCalls = want.calls - want.hedges + hedges
		case (s == simulator.Catalog || s == simulator.Shipping) && svc == simulator.Orders && want.code != "":
			wantCalls = 0 // no orders, no products or shipments to look up
		}
		if calls[s] != wantCalls {
			t.Errorf("%s got %d calls; want %d (failing: %s with %s)", s, calls[s], wantCalls, svc, fault)
		}
	}
	// Each attempt carried the time left for it: at most its own timeout.
	for _, c := range e.Sim.Calls(svc) {
		if ms, err := strconv.Atoi(c.TimeoutMs); err != nil || ms < 1 || time.Duration(ms)*time.Millisecond > matrixTimeout {
			t.Errorf("X-Timeout-Ms %q; want 1..%d", c.TimeoutMs, matrixTimeout.Milliseconds())
		}
	}
	// The service saw its abandoned calls end.
	if want.released {
		e.WaitFor(t, svc, "every abandoned call to end", func(s simulator.Stats) bool {
			return s.Canceled+s.GaveUp == want.calls && s.InFlight == 0
		})
	}
}
