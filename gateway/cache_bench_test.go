package gateway_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// BenchmarkStaleIfErrorSeed measures, in the seed profile (every service
// 100-1000 ms, orders failing 30% of its calls), the share of full
// dashboards that have their orders, with stale-if-error off and on. The
// users each open their dashboard once (not counted: users who were seen
// before), then dashboards of users in a scattered order are asked, 50 at
// a time, some visits per user. A user has nothing to serve stale until
// one of their calls succeeded, so the share depends on the visits per
// user. Run once:
//
//	go test ./gateway -run '^$' -bench StaleIfErrorSeed -benchtime 1x -timeout 30m
func BenchmarkStaleIfErrorSeed(b *testing.B) {
	const concurrency = 50
	for _, load := range []struct{ users, visits int }{{200, 5}, {100, 30}} {
		for _, mode := range []struct{ name, policy string }{
			{"off", ""},
			{"on", "stale-if-error=10m"},
		} {
			users, dashboards := load.users, load.users*load.visits
			b.Run(fmt.Sprintf("users=%d/visits=%d/%s", users, load.visits, mode.name), func(b *testing.B) {
				for b.Loop() {
					e := gatewaytest.New(b, gatewaytest.Options{Bench: true, Behaviors: simulator.Seed(),
						Policies: map[downstream.Service]string{downstream.Orders: mode.policy}})
					ask := func(n int, user func(i int) string) (whole, stale int64) {
						var wg sync.WaitGroup
						var next, w, s atomic.Int64
						for range concurrency {
							wg.Go(func() {
								for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
									r := e.Post(b, contract.DashboardQuery, map[string]any{"id": user(i)}).Stale(b)
									if gatewaytest.OrdersOf(b, r.Data) != "" {
										w.Add(1)
									}
									for _, f := range r.Extensions.Stale {
										if f.Service == "orders" {
											s.Add(1)
										}
									}
								}
							})
						}
						wg.Wait()
						return w.Load(), s.Load()
					}
					userID := func(i int) string { return fmt.Sprintf("u%d", i%users+1) }
					ask(users, userID) // each user once
					whole, stale := ask(dashboards, func(i int) string { return userID(int(uint32(i) * 2654435761 % uint32(users))) })
					b.ReportMetric(100*float64(whole)/float64(dashboards), "orders-whole-%")
					b.ReportMetric(100*float64(stale)/float64(dashboards), "orders-stale-%")
				}
			})
		}
	}
}
