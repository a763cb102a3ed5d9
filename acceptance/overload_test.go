package acceptance_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
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

// While the gateway is overloaded, a client may hold only its share of the
// concurrency limit: past it, that client's requests are shed, while
// another client's are admitted under the same limit. Clients are told
// apart as the rate limits tell them: by address (here the X-Forwarded-For
// a trusted proxy sets).
func TestShedFairlyBetweenClients(t *testing.T) {
	// A limit of 4 that stays (Min and Max), adapting only when the test
	// says (Interval an hour).
	limiter := overload.New(overload.Options{Initial: 4, Min: 4, Max: 4, MinShare: 1, Interval: time.Hour})
	for range 3 { // three slow intervals with no idle CPU and a growing queue: overloaded
		limiter.Acquire("setup")
		limiter.Adapt(overload.Sample{Lag: time.Second})
	}
	for range 3 {
		limiter.Release("setup")
	}
	if !limiter.Busy() {
		t.Fatal("the limiter is not overloaded")
	}
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 300 * time.Millisecond}}},
		Overload:  limiter,
		Edit:      func(c *config.Config) { gatewaytest.TrustProxies(t, c, "127.0.0.1/32") },
	})
	const slow, fast = `query($id: ID!) { dashboard(userId: $id) { wallet { loyaltyPoints } } }`, `{ dashboard(userId: "u9") { profile { name } } }`
	from := func(addr string) []string { return []string{"X-Forwarded-For", addr} }
	var wg sync.WaitGroup
	held := make([]gatewaytest.Result, 3)
	for i, addr := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"} { // the flooder holds two, another client one
		wg.Go(func() { held[i] = e.Post(t, slow, map[string]any{"id": fmt.Sprint("u", i+1)}, from(addr)...) })
	}
	e.WaitFor(t, simulator.Wallet, "three requests' calls", func(s simulator.Stats) bool { return s.InFlight == 3 })

	// Two clients in flight: each may hold 4/2 = 2. The flooder has its two.
	flooded := e.Post(t, fast, nil, from("192.0.2.1")...)
	other := e.Post(t, fast, nil, from("192.0.2.3")...)
	wg.Wait()
	if flooded.Status != 503 || len(flooded.GQL.Errors) != 1 || flooded.GQL.Errors[0].Code() != "OVERLOADED" {
		t.Errorf("the flooder's third request: %d %s; want 503 OVERLOADED", flooded.Status, flooded.Body)
	}
	if other.Status != 200 || len(other.GQL.Errors) != 0 {
		t.Errorf("another client's request under the limit: %d %s; want it served", other.Status, other.Body)
	}
	for i, r := range held {
		if r.Status != 200 || len(r.GQL.Errors) != 0 {
			t.Errorf("held request %d: %d %s; want it served", i, r.Status, r.Body)
		}
	}
	if s := limiter.Stats(); s.Shed != 1 || s.InFlight != 0 || s.Clients != 0 {
		t.Errorf("limiter %+v; want one shed, none in flight", s)
	}
}
