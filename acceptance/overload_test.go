package acceptance_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/simulator"
)

// Past the concurrency limit a request is shed at once: 503, Retry-After
// and one OVERLOADED error, no downstream call; the request under the limit
// is served as usual. The shed answer carries CORS and security headers.
func TestShedPastTheLimit(t *testing.T) {
	limiter := overload.New(overload.Options{Initial: 1, Min: 1, Max: 1, Lag: func() time.Duration { return 0 }})
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 200 * time.Millisecond}}},
		Overload:  limiter,
	})
	var wg sync.WaitGroup
	var held gatewaytest.Result
	wg.Go(func() { held = e.Post(t, `{ dashboard(userId: "u1") { wallet { loyaltyPoints } } }`, nil) })
	e.WaitFor(t, simulator.Wallet, "the first request's call", func(s simulator.Stats) bool { return s.InFlight == 1 })

	r := e.Post(t, `{ dashboard(userId: "u2") { profile { name } } }`, nil, "Origin", "http://localhost:5173")
	if h := e.Get(t, "/healthz"); h.Status != 200 {
		t.Errorf("GET /healthz at the limit: %d; want 200 (probes are never shed)", h.Status)
	}
	wg.Wait()
	if r.Status != 503 || r.Header.Get("Retry-After") != "1" || r.Header.Get("Retry-After-Ms") != "200" ||
		len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "OVERLOADED" {
		t.Errorf("past the limit: %d %v %s; want 503 with Retry-After and one OVERLOADED", r.Status, r.Header, r.Body)
	}
	// A browser can read the answer and its Retry-After: a shed answer has
	// the headers of any other.
	if r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Retry-After") ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Request-Id") == "" {
		t.Errorf("shed answer's headers %v; want CORS (Retry-After exposed), security headers and a request id", r.Header)
	}
	if r.Elapsed > held.Elapsed {
		t.Errorf("shed after %v, the admitted request took %v; want the shed one answered at once", r.Elapsed, held.Elapsed)
	}
	if n := e.Sim.Stats(simulator.Profile).Calls; n != 0 {
		t.Errorf("%d profile calls for the shed request; want none", n)
	}
	if len(held.GQL.Errors) != 0 {
		t.Errorf("the admitted request: %s; want its wallet", held.Body)
	}
	if s := limiter.Stats(); s.Shed != 1 || s.InFlight != 0 {
		t.Errorf("limiter %+v; want one shed, none in flight", s)
	}
}
