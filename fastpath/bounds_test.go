package fastpath_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/fastpath"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

// counting builds dashboards as the real Service does, counting the wallet
// calls it makes and how many were in flight at once.
type counting struct {
	*dashboard.Service
	calls, inFlight, peak atomic.Int64
}

func (c *counting) Wallet(ctx context.Context, d *dashboard.Dashboard) (*model.Wallet, error) {
	c.calls.Add(1)
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	return c.Service.Wallet(ctx, d)
}

// A request's resolver calls in flight are bounded (Options.MaxInFlight):
// 50 dashboards never have more than 8 wallet calls at once with a bound
// of 8, and every one is made.
func TestResolverCallsInFlightAreBounded(t *testing.T) {
	c := &counting{Service: dashboard.New(dashboard.Options{})}
	p := newCachedPaths(t, map[string]simulator.Behavior{
		simulator.Wallet: {Latency: simulator.Latency{Min: 50 * time.Millisecond}},
	}, c, cache.Policy{}, fastpath.Options{MaxInFlight: 8})
	ids := make([]any, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i+1)
	}
	a := run(t, p.fast, `query($ids: [ID!]!) { dashboards(userIds: $ids) { wallet { loyaltyPoints } } }`, map[string]any{"ids": ids})
	if len(a.Errors) > 0 {
		t.Fatalf("errors %v", a.Errors)
	}
	if calls, peak := c.calls.Load(), c.peak.Load(); calls != 50 || peak != 8 {
		t.Errorf("%d wallet calls, %d at once at most; want 50, 8 at once", calls, peak)
	}
}
