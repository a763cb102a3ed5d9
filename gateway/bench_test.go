package gateway_test

import (
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/simulator"
)

// BenchmarkFullDashboard runs the full contract query over loopback HTTP
// against the simulated services, with every service answering after the
// given latency. See BENCHMARKS.md for figures and how to reproduce them.
func BenchmarkFullDashboard(b *testing.B) {
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		behaviors := map[string]simulator.Behavior{}
		for _, s := range simulator.Services() {
			behaviors[s] = simulator.Behavior{Latency: simulator.Latency{Min: latency}}
		}
		b.Run("latency="+latency.String(), func(b *testing.B) {
			e := newEnv(b, envOptions{behaviors: behaviors, noRecord: true})
			vars := map[string]any{"id": "u1"}
			b.ReportAllocs()
			for b.Loop() {
				if r := e.post(b, fullQuery, vars); len(r.gql.Errors) > 0 {
					b.Fatalf("errors %+v", r.gql.Errors)
				}
			}
		})
		b.Run("latency="+latency.String()+"/parallel", func(b *testing.B) {
			e := newEnv(b, envOptions{behaviors: behaviors, noRecord: true})
			vars := map[string]any{"id": "u1"}
			b.ReportAllocs()
			b.SetParallelism(16) // many clients at once, as in production
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r := e.post(b, fullQuery, vars); len(r.gql.Errors) > 0 {
						b.Errorf("errors %+v", r.gql.Errors)
						return
					}
				}
			})
		})
	}
}
