package acceptance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
	"github.com/acme/dashboard-gateway/simulator"
)

// floodDocument is the i-th of distinct valid documents of size bytes: a
// comment pads a query of one field.
func floodDocument(i, size int) string {
	q := fmt.Sprintf("query Flood%d { __typename }\n# ", i)
	return q + strings.Repeat("x", size-len(q))
}

// registerFrom sends q with its hash from the client at addr, as a client
// does after PERSISTED_QUERY_NOT_FOUND.
func registerFrom(tb testing.TB, e *gatewaytest.Gateway, q, addr string) gatewaytest.Result {
	tb.Helper()
	req := gatewaytest.JSONRequest(tb, e.URL+"/query", map[string]any{"query": q, "extensions": gatewaytest.Persisted(q)})
	req.Header.Set("X-Forwarded-For", addr)
	return e.Do(tb, req)
}

// storedExtension is a response's extensions.persistedQuery, which says a
// query sent with its hash ran but was not stored; "" when absent.
func storedExtension(tb testing.TB, r gatewaytest.Result) string {
	tb.Helper()
	var body struct {
		Extensions struct {
			PersistedQuery json.RawMessage `json:"persistedQuery"`
		} `json:"extensions"`
	}
	gatewaytest.Decode(tb, r.Body, &body)
	return string(body.Extensions.PersistedQuery)
}

// TestAPQFloodCannotEvictOthersState floods a Redis as deploy/ runs it
// (volatile-lru), only with 4 MB, with twice that in distinct persisted
// queries, each from its own client so that no per-client limit applies:
// the gateway's budget of registrations, sized by docs/operating.md's
// arithmetic, keeps them from evicting another user's stale-if-error
// answer. Without the budget, Redis evicts it and the answer fails.
func TestAPQFloodCannotEvictOthersState(t *testing.T) {
	srv := redistest.Start(t, "--maxmemory", "4mb", "--maxmemory-policy", "volatile-lru")
	// At most 2 x 20 documents of 19 KB (a burst of the budget, then the
	// budget per TTL): under 1 MB.
	const budget, size, n = 20, 19_000, 400
	e := gatewaytest.New(t, gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"}, Edit: func(c *config.Config) {
		c.Redis.URL = srv.URL()
		c.Redis.APQBudget = budget
		c.RateLimit = gateway.RateLimit{Requests: 1000, Window: time.Minute}
		gatewaytest.TrustProxies(t, c, "127.0.0.1/32")
	}})
	vars := map[string]any{"id": "u7", "n": 2}
	good := e.Post(t, ordersQuery, vars, "X-Forwarded-For", "10.5.0.1")
	if len(good.GQL.Errors) > 0 || gatewaytest.OrdersOf(t, good.GQL.Data) == "" {
		t.Fatalf("healthy answer: %s", good.Body)
	}

	for i := range n { // 7.6 MB
		r := registerFrom(t, e, floodDocument(i, size), fmt.Sprintf("10.6.%d.%d", i/200, i%200+1))
		if r.Status != http.StatusOK || len(r.GQL.Errors) > 0 {
			t.Fatalf("flood document %d: got %d %.200s; want it to run", i, r.Status, r.Body)
		}
	}

	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ctx := context.Background()
	info, err := rdb.Info(ctx, "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info, "evicted_keys:0\r\n") {
		t.Errorf("Redis evicted keys during the flood: %s", statLine(info, "evicted_keys"))
	}
	keys, err := rdb.Keys(ctx, "dgw:apq:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d flood documents stored in Redis (budget %d per TTL); %s", len(keys), n, budget, statLine(info, "evicted_keys"))
	if len(keys) > 2*budget {
		t.Errorf("persisted queries in Redis: got %d; want at most %d (twice the budget)", len(keys), 2*budget)
	}
	if len(keys) == 0 {
		t.Errorf("persisted queries in Redis: got none; want the budget's")
	}

	failOrders(e)
	defer e.Sim.SetBehavior(simulator.Orders, simulator.Behavior{})
	r := e.Post(t, ordersQuery, vars, "X-Forwarded-For", "10.5.0.2")
	s := r.Stale(t)
	if got, want := gatewaytest.OrdersOf(t, s.Data), gatewaytest.OrdersOf(t, good.GQL.Data); got != want || len(s.Errors) != 0 || len(s.Extensions.Stale) != 1 {
		t.Errorf("after the flood, orders failing: got %s; want the kept orders %s, marked stale, no error", r.Body, want)
	}
}

// statLine is the line of INFO's output about name.
func statLine(info, name string) string {
	for line := range strings.Lines(info) {
		if strings.HasPrefix(line, name+":") {
			return strings.TrimSpace(line)
		}
	}
	return name + ": (none)"
}

// TestAPQRegisterLimit checks the per-client limit on registrations, per
// replica and across replicas through Redis: past it a query runs, is not
// stored, and the response says so; other clients are not counted.
func TestAPQRegisterLimit(t *testing.T) {
	const limit = 5
	srv := redistest.Start(t)
	build := func(redisURL string, of *gatewaytest.Gateway) *gatewaytest.Gateway {
		return gatewaytest.New(t, gatewaytest.Options{ReplicaOf: of, Edit: func(c *config.Config) {
			c.Redis.URL = redisURL
			c.APQRegisterLimit = gateway.RateLimit{Requests: limit, Window: time.Hour}
			gatewaytest.TrustProxies(t, c, "127.0.0.1/32")
		}})
	}
	alone := build("", nil)
	a := build(srv.URL(), nil)
	b := build(srv.URL(), a)
	tests := []struct {
		name string
		// where the client's registrations go, in turn
		gateways []*gatewaytest.Gateway
	}{
		{"per replica, without Redis", []*gatewaytest.Gateway{alone}},
		{"across replicas, with Redis", []*gatewaytest.Gateway{a, b}},
	}
	const refused = `{"code":"RATE_LIMITED","stored":false}`
	for ti, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := fmt.Sprintf("10.7.%d.1", ti)
			on := func(i int) *gatewaytest.Gateway { return tt.gateways[i%len(tt.gateways)] }
			doc := func(i int) string { return fmt.Sprintf(`query Limit%d_%d { __typename }`, ti, i) }
			for i := range limit + 3 {
				r := registerFrom(t, on(i), doc(i), client)
				if !r.Found() {
					t.Fatalf("registration %d: got %d %s; want it to run", i, r.Status, r.Body)
				}
				want := ""
				if i >= limit {
					want = refused
				}
				if got := storedExtension(t, r); got != want {
					t.Errorf("registration %d of a limit of %d: extensions.persistedQuery %q; want %q", i, limit, got, want)
				}
				if found := on(i+1).PostHash(t, doc(i)).Found(); found != (i < limit) {
					t.Errorf("registration %d of a limit of %d, then by hash: got found %v; want %v", i, limit, found, i < limit)
				}
			}
			if r := registerFrom(t, on(0), doc(0), client); !r.Found() || !on(1).PostHash(t, doc(0)).Found() {
				t.Errorf("past the limit, a query held already: got %s; want it run, and still found by hash", r.Body)
			}
			if r := registerFrom(t, on(0), doc(limit+10), fmt.Sprintf("10.7.%d.2", ti)); storedExtension(t, r) != "" {
				t.Errorf("another client: got extensions.persistedQuery %s; want none (a limit of its own)", storedExtension(t, r))
			}
		})
	}
}
