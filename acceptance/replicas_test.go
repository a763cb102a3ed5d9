package acceptance_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
	"github.com/acme/dashboard-gateway/simulator"
)

// replicas are gateways built the same way in front of one simulator and
// one Redis, asked round-robin.
type replicas []*gatewaytest.Gateway

// newReplicas builds n gateways sharing redis, with a per-address limit
// of limit per second; clients' addresses come from X-Forwarded-For.
func newReplicas(tb testing.TB, n int, redis *redistest.Server, limit int) replicas {
	tb.Helper()
	o := gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"}, Edit: func(c *config.Config) {
		c.Redis.URL = redis.URL()
		c.RateLimit = gateway.RateLimit{Requests: limit, Window: time.Second}
		gatewaytest.TrustProxies(tb, c, "127.0.0.1/32")
	}}
	first := gatewaytest.New(tb, o)
	rs := replicas{first}
	for range n - 1 {
		o.ReplicaOf = first
		rs = append(rs, gatewaytest.New(tb, o))
	}
	return rs
}

// typename sends the cheapest query from the client at addr.
func typename(tb testing.TB, e *gatewaytest.Gateway, addr string) gatewaytest.Result {
	tb.Helper()
	return e.Post(tb, `{ __typename }`, nil, "X-Forwarded-For", addr)
}

func TestReplicasShareRedis(t *testing.T) {
	redis := redistest.Start(t)
	const limit = 40 // per second per address, across the replicas
	rs := newReplicas(t, 3, redis, limit)
	a, b, c := rs[0], rs[1], rs[2]

	t.Run("APQ registered on A is served by B and C", func(t *testing.T) {
		const q = `query SharedApq { dashboard(userId: "u1") { userId } }`
		if r := b.PostHash(t, q); r.Found() {
			t.Fatalf("B before registration: got %s; want PERSISTED_QUERY_NOT_FOUND", r.Body)
		}
		if r := a.RegisterPersisted(t, q); !r.Found() {
			t.Fatalf("register on A: got %d %s", r.Status, r.Body)
		}
		for name, e := range map[string]*gatewaytest.Gateway{"B": b, "C": c} {
			if r := e.PostHash(t, q); !r.Found() {
				t.Errorf("by hash on %s: got %d %s; want the query's data", name, r.Status, r.Body)
			}
		}
	})

	t.Run("a per-address limit holds within 10% over the replicas", func(t *testing.T) {
		// Faster than the limit for 2s, round-robin: GCRA allows a burst
		// of the limit, then the limit per second.
		allowed, sent := 0, 0
		start := time.Now()
		var last time.Time
		for time.Since(start) < 2*time.Second {
			r := typename(t, rs[sent%len(rs)], "10.1.0.1")
			last = time.Now()
			sent++
			switch r.Status {
			case http.StatusOK:
				allowed++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("request %d: got %d %s", sent, r.Status, r.Body)
			}
		}
		want := float64(limit) + float64(limit)*last.Sub(start).Seconds()
		if sent < 2*int(want) {
			t.Fatalf("sent %d requests in %v: too few to test a limit of %d/s", sent, last.Sub(start), limit)
		}
		t.Logf("allowed %d of %d requests in %v; GCRA's exact count %.1f", allowed, sent, last.Sub(start), want)
		if math.Abs(float64(allowed)-want) > 0.1*want {
			t.Errorf("allowed %d of %d requests over 3 replicas in %v; want %.0f ±10%% (burst %d + %d/s)", allowed, sent, last.Sub(start), want, limit, limit)
		}
	})

	t.Run("a value kept through A is served stale by C while the service fails", func(t *testing.T) {
		vars := map[string]any{"id": "u7", "n": 2}
		good := a.Post(t, ordersQuery, vars, "X-Forwarded-For", "10.4.0.1")
		if len(good.GQL.Errors) > 0 || gatewaytest.OrdersOf(t, good.GQL.Data) == "" {
			t.Fatalf("healthy answer on A: %s", good.Body)
		}
		failOrders(a) // the replicas share one simulator
		defer a.Sim.SetBehavior(simulator.Orders, simulator.Behavior{})
		r := c.Post(t, ordersQuery, vars, "X-Forwarded-For", "10.4.0.2")
		s := r.Stale(t)
		if got, want := gatewaytest.OrdersOf(t, s.Data), gatewaytest.OrdersOf(t, good.GQL.Data); got != want || len(s.Errors) != 0 {
			t.Errorf("on C: got %s; want A's orders %s and no error", r.Body, want)
		}
		if len(s.Extensions.Stale) != 1 || s.Extensions.Stale[0].Service != "orders" {
			t.Errorf("on C: extensions.stale of %s; want one entry of orders", r.Body)
		}
	})

	before := latencies(t, rs, 300, "10.2.0.")

	redis.Stop()
	t.Run("Redis down: no request fails, latency barely grows", func(t *testing.T) {
		// The first calls fail (at once: the port refuses connections)
		// and open each replica's breaker; then Redis costs nothing.
		_ = latencies(t, rs, 3*sharedstore.DefaultTripAfter, "10.3.1.") // fails the test on any failed request
		after := latencies(t, rs, 300, "10.3.0.")
		grow := p99(after) - p99(before)
		t.Logf("p99 with Redis: %v; without (breakers open): %v", p99(before), p99(after))
		// The bound is generous for a loaded 2-core machine running -race;
		// BenchmarkRedisDown measures it.
		if grow > 25*time.Millisecond {
			t.Errorf("p99 grew by %v with Redis down; want at most 25ms", grow)
		}
		const q = `query WhileDown { dashboard(userId: "u2") { userId } }`
		if r := a.RegisterPersisted(t, q); !r.Found() {
			t.Errorf("register on A with Redis down: got %d %s; want the data", r.Status, r.Body)
		}
		if r := b.PostHash(t, q); r.Found() || r.GQL.Errors[0].Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("by hash on B with Redis down: got %s; want PERSISTED_QUERY_NOT_FOUND (a miss)", r.Body)
		}
	})

	redis.Restart()
	t.Run("Redis restarted: sharing resumes", func(t *testing.T) {
		for i, e := range []*gatewaytest.Gateway{b, c} {
			q := fmt.Sprintf(`query AfterRestart%d { dashboard(userId: "u3") { userId } }`, i)
			// The breakers let a probe through once they have been open
			// 1s (sharedstore.DefaultOpenFor).
			waitUntil(t, 10*time.Second, func() bool {
				return a.RegisterPersisted(t, q).Found() && e.PostHash(t, q).Found()
			})
		}
	})
}

// latencies sends n cheap requests round-robin, each from its own address
// (prefix plus a number) so no limit applies, and returns their
// latencies; any status but 200 fails the test.
func latencies(tb testing.TB, rs replicas, n int, prefix string) []time.Duration {
	tb.Helper()
	out := make([]time.Duration, 0, n)
	for i := range n {
		r := typename(tb, rs[i%len(rs)], fmt.Sprintf("%s%d", prefix, i%250+1))
		if r.Status != http.StatusOK || len(r.GQL.Errors) > 0 {
			tb.Fatalf("request %d: got %d %s; want 200 with data", i, r.Status, r.Body)
		}
		out = append(out, r.Elapsed)
	}
	return out
}

// p99 is the 99th percentile of ds.
func p99(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)*99)/100]
}

// waitUntil retries cond every 20ms until it holds, failing after max.
func waitUntil(tb testing.TB, max time.Duration, cond func() bool) {
	tb.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(max)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			tb.Fatalf("condition not met in %v", max)
		}
	}
}
