package dashboard_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/simulator"
)

// Open tells the operation's loaders what its dashboards will look up: a
// list nothing else can join goes out at once, without the batch wait
// (here a second), and lists that can join wait for each other.
func TestOpenExpectsItsLookups(t *testing.T) {
	const wait = time.Second
	svc := dashboard.New(dashboard.Options{})
	operation := func(t *testing.T, s *services) context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), operationTimeout)
		t.Cleanup(cancel)
		l := loaders.New(ctx, s.clients, wait, nil)
		l.SetRootFields(1)
		return loaders.NewContext(ctx, l)
	}
	// openU1 opens u1's dashboard with fields selected.
	openU1 := func(t *testing.T, ctx context.Context, fields ...string) *dashboard.Dashboard {
		ds, err := svc.Open(ctx, []string{"u1"}, dashboard.Selection{Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		return ds[0]
	}
	// atOnce is the context of a field that must be in before the wait.
	atOnce := func(t *testing.T, ctx context.Context) context.Context {
		ctx, cancel := context.WithTimeout(ctx, wait*7/10)
		t.Cleanup(cancel)
		return ctx
	}

	t.Run("profile, orders' products and shipments: each alone", func(t *testing.T) {
		s := newServices(t, nil)
		ctx := operation(t, s)
		d := openU1(t, ctx, "profile", "orders")
		if _, err := svc.Profile(atOnce(t, ctx), d); err != nil {
			t.Fatalf("profile: %v", err)
		}
		orders, err := svc.Orders(atOnce(t, ctx), d, nil, dashboard.OrderParts{Products: true, Shipments: true})
		if err != nil {
			t.Fatalf("orders: %v", err)
		}
		if _, err := orders[0].Items[0].Product(); err != nil {
			t.Fatalf("orders' products: %v", err)
		}
		if _, err := svc.Shipments(atOnce(t, ctx), orders); err != nil {
			t.Fatalf("shipments: %v", err)
		}
	})

	t.Run("orders' and recommendations' products: together", func(t *testing.T) {
		s := newServices(t, nil)
		ctx := operation(t, s)
		d := openU1(t, ctx, "orders", "recommendations")
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := svc.Orders(ctx, d, nil, dashboard.OrderParts{Products: true}); err != nil {
				t.Errorf("orders: %v", err)
			}
		})
		wg.Go(func() {
			if _, err := svc.Recommendations(ctx, d, nil, true); err != nil {
				t.Errorf("recommendations: %v", err)
			}
		})
		wg.Wait()
		if got := s.sim.Stats(simulator.Catalog).Calls; got != 1 {
			t.Errorf("%d calls to the catalog, want 1: the two lists together", got)
		}
	})
}
