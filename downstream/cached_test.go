package downstream_test

import (
	"context"
	"maps"
	"sync"
	"testing"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/cache/storetest"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

// outcomes counts the cache's outcomes, by outcome.
type outcomes struct {
	mu sync.Mutex
	n  map[cache.Outcome]int
}

func (o *outcomes) Lookup(_ string, outcome cache.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n[outcome]++
}

// took returns the outcomes counted since the last took.
func (o *outcomes) took() map[cache.Outcome]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.n
	o.n = map[cache.Outcome]int{}
	return n
}

// A batch's items cost a few calls of the shared store (Redis), however
// many they are: one for the generations and one for the items, to look
// them up fresh, to keep them, and to look them up stale.
func TestBatchCacheRoundTrips(t *testing.T) {
	ctx := context.Background()
	const n = 25
	batches := map[string]struct {
		service string
		ids     []string
		get     func(*downstream.Clients, []string) (int, error)
	}{
		"products": {simulator.Catalog, simulatedIDs("p", n), func(c *downstream.Clients, ids []string) (int, error) {
			m, err := c.Products(ctx, ids)
			return len(m), err
		}},
		"profiles": {simulator.Profile, simulatedIDs("u", n), func(c *downstream.Clients, ids []string) (int, error) {
			m, err := c.Profiles(ctx, ids)
			return len(m), err
		}},
		"shipments": {simulator.Shipping, shippedOrders(n), func(c *downstream.Clients, ids []string) (int, error) {
			m, err := c.Shipments(ctx, ids)
			return len(m), err
		}},
	}
	tests := []struct {
		name, policy  string
		fail          bool           // the service fails the second call
		first, second map[string]int // Store calls of each call
		outcomes      map[cache.Outcome]int
	}{
		{"fresh", "attempts=1,cache=1h", false,
			map[string]int{"GetMany": 3, "SetMany": 1}, map[string]int{"GetMany": 2}, map[cache.Outcome]int{cache.OutcomeFresh: n}},
		{"stale", "attempts=1,stale-if-error=1h", true,
			map[string]int{"GetMany": 1, "SetMany": 1}, map[string]int{"GetMany": 2}, map[cache.Outcome]int{cache.OutcomeStale: n}},
	}
	for name, b := range batches {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				store := &storetest.Counting{Store: redisStore(t)}
				heard := &outcomes{n: map[cache.Outcome]int{}}
				c, sim := simulated(t, tc.policy, cache.Options{Store: store, Observer: heard})
				for i, want := range []map[string]int{tc.first, tc.second} {
					if i == 1 && tc.fail {
						sim.SetBehavior(b.service, simulator.Behavior{Fault: simulator.FaultStatus500})
					}
					heard.took()
					if got, err := b.get(c, b.ids); got != n || err != nil {
						t.Fatalf("call %d: got %d items, %v; want %d", i+1, got, err, n)
					}
					if got := store.Took(); !maps.Equal(got, want) {
						t.Errorf("call %d of %d ids: Store calls %v; want %v", i+1, n, got, want)
					}
				}
				if got := heard.took(); !maps.Equal(got, tc.outcomes) {
					t.Errorf("outcomes of the second call: got %v; want %v", got, tc.outcomes)
				}
			})
		}
	}
}

// A failed batch is served stale only if every item was kept; the
// lookups reported are those considered, up to the first item missing.
func TestBatchStaleNeedsEveryItem(t *testing.T) {
	ctx := context.Background()
	heard := &outcomes{n: map[cache.Outcome]int{}}
	c, sim := simulated(t, "attempts=1,stale-if-error=1h", cache.Options{Store: redisStore(t), Observer: heard})
	ids := simulatedIDs("p", 10)
	if _, err := c.Products(ctx, ids[1:]); err != nil {
		t.Fatal(err)
	}
	sim.SetBehavior(simulator.Catalog, simulator.Behavior{Fault: simulator.FaultStatus500})
	for _, tc := range []struct {
		name string
		ids  []string
		want map[cache.Outcome]int
	}{
		{"the first item never kept", ids, map[cache.Outcome]int{cache.OutcomeMiss: 1}},
		{"the last item never kept", append(ids[1:], ids[0]), map[cache.Outcome]int{cache.OutcomeMiss: len(ids)}},
		{"every item kept", ids[1:], map[cache.Outcome]int{cache.OutcomeStale: len(ids) - 1}},
	} {
		heard.took()
		got, err := c.Products(ctx, tc.ids)
		if stale := tc.want[cache.OutcomeStale] > 0; (err == nil) != stale || (stale && len(got) != len(tc.ids)) {
			t.Errorf("%s: got %d items, %v; want them all only if every one was kept", tc.name, len(got), err)
		}
		if o := heard.took(); !maps.Equal(o, tc.want) {
			t.Errorf("%s: outcomes %v; want %v", tc.name, o, tc.want)
		}
	}
}
