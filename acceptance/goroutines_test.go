package acceptance_test

import (
	"runtime/metrics"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// goroutineBudget is how many goroutines one full dashboard may start, in
// this whole process: the gateway's own (four of the five service-backed
// fields run beside the fifth; a batch loader's timer for profiles, one for
// products), one more per incoming request that net/http's server starts to
// watch the connection, and the same one on the simulated services' side for
// each of the seven downstream calls. No goroutine per list element, per
// product, per loader wait or per call. gqlgen's executor started 59.
const goroutineBudget = 20

// A full dashboard starts a bounded number of goroutines, whatever the
// sizes of its lists.
func TestGoroutinesPerDashboard(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Bench: true})
	vars := map[string]any{"id": "u1"}
	for range 5 { // connections and caches in place
		e.Post(t, contract.DashboardQuery, vars)
	}
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	created := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	const n = 50
	before := created()
	for range n {
		if r := e.Post(t, contract.DashboardQuery, vars); len(r.GQL.Errors) > 0 || r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	perDashboard := float64(created()-before) / n
	t.Logf("%.1f goroutines per full dashboard (budget %d)", perDashboard, goroutineBudget)
	if perDashboard > goroutineBudget {
		t.Errorf("%.1f goroutines per full dashboard; want at most %d", perDashboard, goroutineBudget)
	}
	if s := e.Sim.Stats(simulator.Catalog); s.Calls == 0 {
		t.Error("no catalog calls: the dashboards had no products")
	}
}
