package downstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/downstream/downstreamtest"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
	"github.com/acme/dashboard-gateway/simulator"
)

// simulated returns clients of the simulated services, every one with
// policy (downstream.ParseSpec), keeping answers in a cache of opts, and
// the simulator.
func simulated(tb testing.TB, policy string, opts cache.Options) (*downstream.Clients, *simulator.Simulator) {
	tb.Helper()
	sc, err := downstream.ParseSpec(policy, downstream.ServiceConfig{})
	if err != nil {
		tb.Fatalf("policy %q: %v", policy, err)
	}
	sim := simulator.New(simulator.Options{Seed: 1})
	return downstreamtest.StartConfig(tb, sim, downstream.Config{Cache: cache.New(opts)}, sc), sim
}

// redisStore returns a Store in a real redis-server of its own.
func redisStore(tb testing.TB) *sharedstore.Store {
	tb.Helper()
	srv := redistest.Start(tb)
	s, err := sharedstore.New(sharedstore.Options{URL: srv.URL(), Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// simulatedIDs returns the ids of the first n users or products of the
// simulator (prefix "u" or "p").
func simulatedIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return ids
}

// BenchmarkBatchCacheRedis measures a batch of 25 products (a full
// dashboard's) through the response cache in a real Redis: all fresh
// (cache=1h, found), kept after the call (stale-if-error only: every call
// goes out and keeps its items), and served stale (the catalog failing).
//
//	go test ./downstream -run '^$' -bench BatchCacheRedis -count 5
func BenchmarkBatchCacheRedis(b *testing.B) {
	ctx := context.Background()
	ids := simulatedIDs("p", 25)
	for _, tc := range []struct{ name, policy string }{
		{"fresh", "attempts=1,cache=1h"},
		{"keep", "attempts=1,stale-if-error=1h"},
		{"stale", "attempts=1,stale-if-error=1h"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, sim := simulated(b, tc.policy, cache.Options{Store: redisStore(b)})
			if _, err := c.Products(ctx, ids); err != nil {
				b.Fatal(err)
			}
			if tc.name == "stale" {
				sim.SetBehavior(simulator.Catalog, simulator.Behavior{Fault: simulator.FaultStatus500})
			}
			b.ReportAllocs()
			for b.Loop() {
				got, err := c.Products(ctx, ids)
				if err != nil || len(got) != len(ids) {
					b.Fatalf("Products: %d items, %v", len(got), err)
				}
			}
		})
	}
}
