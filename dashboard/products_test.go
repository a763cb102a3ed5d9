package dashboard_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

// lookup is one list element's product, as a list's field returned it.
type lookup struct {
	productID string // the product the service named
	product   func() (*model.Product, error)
}

// withProducts is a list field whose elements carry products: it returns
// the list's elements' products, or the field's error.
type withProducts func(ctx context.Context, svc *dashboard.Service, d *dashboard.Dashboard, products bool) ([]lookup, error)

const productsUser = "u1"

var productLists = []struct {
	name string
	get  withProducts
}{
	{"orders", func(ctx context.Context, svc *dashboard.Service, d *dashboard.Dashboard, products bool) ([]lookup, error) {
		list, err := svc.Orders(ctx, d, ptr(5), dashboard.OrderParts{Products: products})
		want := simulator.OrdersOf(d.UserID)
		var out []lookup
		for i, o := range list {
			for j, it := range o.Items {
				out = append(out, lookup{want[i].Items[j].ProductID, it.Product})
			}
		}
		return out, err
	}},
	{"recommendations", func(ctx context.Context, svc *dashboard.Service, d *dashboard.Dashboard, products bool) ([]lookup, error) {
		list, err := svc.Recommendations(ctx, d, ptr(25), products)
		want := simulator.RecommendationsOf(d.UserID)
		out := make([]lookup, len(list))
		for i, r := range list {
			out[i] = lookup{want[i].ProductID, r.Product}
		}
		return out, err
	}},
}

// With products, a list's products come from the catalog, all in one call:
// each element's own, null fields null. Without, the catalog is not called
// and the elements have none.
func TestProducts(t *testing.T) {
	s := newServices(t, nil)
	svc := dashboard.New(dashboard.Options{})
	for _, l := range productLists {
		for _, products := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/products %t", l.name, products), func(t *testing.T) {
				s.sim.ResetStats()
				ctx := s.operation(t)
				got, err := l.get(ctx, svc, open(t, ctx, svc, productsUser), products)
				if err != nil || len(got) == 0 {
					t.Fatalf("%d elements, %v; want some, no error", len(got), err)
				}
				distinct, images := map[string]bool{}, map[bool]int{}
				for i, lk := range got {
					p, err := lk.product()
					switch {
					case !products && (p != nil || err != nil):
						t.Errorf("element %d: product %+v, %v; want none", i, p, err)
					case products && err != nil:
						t.Errorf("element %d: product error %v; want %s", i, err, lk.productID)
					case products:
						assertModel(t, "product "+lk.productID, p, wantProduct(t, lk.productID))
						distinct[lk.productID] = true
						images[p.ImageURL != nil]++
					}
				}
				calls := s.sim.Calls(simulator.Catalog)
				if products && (len(calls) != 1 || !sameIDs(calls[0].IDs, slices.Collect(maps.Keys(distinct)))) {
					t.Errorf("catalog calls %+v; want one with the %d distinct products", calls, len(distinct))
				}
				if !products && len(calls) != 0 {
					t.Errorf("%d catalog calls; want none", len(calls))
				}
				if products && l.name == "recommendations" && (images[true] == 0 || images[false] == 0) {
					t.Errorf("products with and without an image: %v; want both converted", images)
				}
			})
		}
	}
}

// A failing catalog fails the products, not the lists: every element is
// there, and its product is the catalog's error.
func TestProductsFailing(t *testing.T) {
	tests := []struct {
		fault simulator.Fault
		kind  downstream.Kind
	}{
		{simulator.FaultStatus500, downstream.KindBadStatus},
		{simulator.FaultWrongShape, downstream.KindInvalidResponse},
		{simulator.FaultNotFound, downstream.KindBadStatus}, // the batch endpoint has no 404
	}
	for _, tt := range tests {
		s := newServices(t, map[string]simulator.Behavior{simulator.Catalog: {Fault: tt.fault}})
		svc := dashboard.New(dashboard.Options{})
		for _, l := range productLists {
			t.Run(string(tt.fault)+"/"+l.name, func(t *testing.T) {
				ctx := s.operation(t)
				got, err := l.get(ctx, svc, open(t, ctx, svc, productsUser), true)
				if err != nil || len(got) == 0 {
					t.Fatalf("%d elements, %v; want the list without error", len(got), err)
				}
				for i, lk := range got {
					p, err := lk.product()
					e, ok := errors.AsType[*downstream.Error](err)
					if p != nil || !ok || e.Service != downstream.Catalog || e.Kind != tt.kind {
						t.Errorf("element %d: product %+v, error %v; want none, the catalog's %s", i, p, err, tt.kind)
					}
				}
			})
		}
	}
}
