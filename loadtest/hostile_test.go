package loadtest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/simulator"
)

// BenchmarkHostileAnswer measures what the gateway process alone spends
// on the third security round's request for many errors (50 dashboards'
// orders and recommendations with first: 50, 5,000 products) with the
// catalog failing every call, beside the same request with the catalog
// healthy: the in-process BenchmarkHostileInput of package gateway counts
// the simulator producing 2,500 orders and the client too. Requests go
// one at a time; cpu-ms/op and B/op are the gateway's (its CPU time from
// /proc, its allocations from its metrics).
func BenchmarkHostileAnswer(b *testing.B) {
	const query = `query($ids: [ID!]!) { dashboards(userIds: $ids) { orders(first: 50) { items { product { name } } } recommendations(first: 50) { product { name } } } }`
	ids := make([]any, 50)
	for i := range ids {
		ids[i] = "u" + strconv.Itoa(i+1)
	}
	for _, c := range []struct {
		name  string
		specs map[string]string
	}{
		{"catalog failing", map[string]string{simulator.Catalog: "fault=500"}},
		{"catalog healthy", nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := newWorld(b, simulation{preset: "healthy", specs: c.specs}, noShedding)
			req := postRequest(w.gatewayURL, query, map[string]any{"ids": ids}, "application/json")
			for range 5 { // warm up the connection and the plan cache
				if o := send(context.Background(), req()); o.err != nil || o.status != 200 {
					b.Fatalf("warm-up: %+v", o)
				}
			}
			c0 := w.gateway.cpu(b)
			_, by0 := allocs(b, w.adminURL+"/metrics")
			for b.Loop() {
				if o := send(context.Background(), req()); o.err != nil || o.status != 200 {
					b.Fatalf("%+v", o)
				}
			}
			_, by1 := allocs(b, w.adminURL+"/metrics")
			n := float64(b.N)
			b.ReportMetric(float64(w.gateway.cpu(b)-c0)/float64(time.Millisecond)/n, "gateway-cpu-ms/op")
			b.ReportMetric((by1-by0)/n, "gateway-B/op")
		})
	}
}
