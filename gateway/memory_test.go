package gateway_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// The parsed documents the gateway keeps are bounded by their size in
// memory, not only by their count: 150 distinct documents of 10 KB, each
// about 0.5 MB once parsed (4,900 comments, which the limits do not count
// as nodes), and 30 distinct documents of five whole dashboards, all run
// by the fast path (which keeps their analyses and plans, and so their
// documents), leave the heap within the caches' budgets. Without a bound
// in bytes (a budget of 4 TiB here), the heap grew by 77 MB.
func TestQueryCacheBoundsTheHeap(t *testing.T) {
	const budget = 4 << 20
	gw := gatewaytest.New(t, gatewaytest.Options{Bench: true, Edit: func(c *config.Config) { c.QueryCacheBytes = budget }})
	sel := contract.DashboardQuery[strings.Index(contract.DashboardQuery, "{\n    userId"):strings.LastIndex(contract.DashboardQuery, "}")]
	dashboards := func(i int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "query Five%d {\n", i)
		for r := range 5 {
			fmt.Fprintf(&b, "  d%d: dashboard(userId: \"u%d\") %s\n", r, r+1, sel)
		}
		return b.String() + "}"
	}
	comments := strings.Repeat("#\n", 4900)
	commented := func(i int) string {
		return fmt.Sprintf("query Commented%d {\n%s dashboard(userId: \"u1\") { userId } }", i, comments)
	}
	if r := gw.Post(t, dashboards(1000), nil); r.Status != 200 || len(r.GQL.Errors) > 0 {
		t.Fatalf("warm-up: %d %s", r.Status, r.Body)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range 150 {
		if r := gw.Post(t, commented(i), nil); r.Status != 200 || len(r.GQL.Errors) > 0 {
			t.Fatalf("document %d: %d %s", i, r.Status, r.Body)
		}
		if i%5 == 0 {
			if r := gw.Post(t, dashboards(i), nil); r.Status != 200 || len(r.GQL.Errors) > 0 {
				t.Fatalf("dashboards %d: %d %s", i, r.Status, r.Body)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	// The documents' budget, the fast path's analyses and plans (8 MiB
	// each: fastpath.DefaultPlanCacheBytes), and room for the rest.
	const limit = budget + 2*8<<20 + 8<<20
	t.Logf("heap grew by %.1f MB", float64(grew)/1e6)
	if grew > limit {
		t.Errorf("heap grew by %d bytes after 180 distinct documents; want at most %d", grew, limit)
	}
}
