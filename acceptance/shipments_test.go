package acceptance_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// shipmentsQuery asks for the shipments of every order of the dashboards
// of $ids.
const shipmentsQuery = `query($ids: [ID!]!, $n: Int) { dashboards(userIds: $ids) { userId orders(first: $n) {
	id shipment { carrier status estimatedDelivery trackingUrl } } } }`

type shipmentsData struct {
	Dashboards []struct {
		UserID string
		Orders []struct {
			ID       string
			Shipment *struct {
				Carrier           string
				Status            string
				EstimatedDelivery *time.Time
				TrackingURL       *string
			}
		}
	}
}

// An order's shipment is the shipping service's, or null when it has none;
// the shipments of a dashboard's orders go out in one call, at most 100
// order ids to a call, and only when a shipment is selected; a dashboard
// without orders costs none.
func TestShipments(t *testing.T) {
	for _, tt := range []struct {
		name     string
		users    int
		first    int
		maxCalls int // at most one per dashboard
	}{
		{"one dashboard", 1, 10, 1},
		{"three dashboards", 3, 10, 3},
		{"fifty dashboards of fifty orders", 50, 50, 50},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{})
			ids := make([]any, tt.users)
			for i := range ids {
				ids[i] = fmt.Sprintf("u%d", i+1)
			}
			r := e.Post(t, shipmentsQuery, map[string]any{"ids": ids, "n": tt.first})
			gatewaytest.AssertClean(t, r.GQL.Errors)
			var data shipmentsData
			gatewaytest.Decode(t, r.GQL.Data, &data)
			orders := 0
			for _, d := range data.Dashboards {
				for _, o := range d.Orders {
					orders++
					want, ok := simulator.ShipmentOf(o.ID)
					switch got := o.Shipment; {
					case !ok && got != nil:
						t.Errorf("order %s: shipment %+v; want null", o.ID, *got)
					case ok && (got == nil || got.Carrier != want.Carrier || got.Status != want.Status ||
						(got.TrackingURL == nil) != (want.TrackingURL == nil) || (got.EstimatedDelivery == nil) != (want.EstimatedDelivery == nil)):
						t.Errorf("order %s: shipment %+v; want %+v", o.ID, got, want)
					}
				}
			}
			calls := e.Sim.Calls(simulator.Shipping)
			asked := 0
			for _, c := range calls {
				asked += len(c.IDs)
				if len(c.IDs) > 100 {
					t.Errorf("a call with %d order ids; want at most 100", len(c.IDs))
				}
			}
			if len(calls) == 0 || len(calls) > tt.maxCalls || asked != orders {
				t.Errorf("%d shipping calls for %d order ids; want 1 to %d, for the %d orders", len(calls), asked, tt.maxCalls, orders)
			}
		})
	}
	t.Run("not selected", func(t *testing.T) {
		e := gatewaytest.New(t, gatewaytest.Options{})
		e.Post(t, `{ dashboard(userId: "u1") { orders { id } } }`, nil)
		if n := len(e.Sim.Calls(simulator.Shipping)); n != 0 {
			t.Errorf("%d shipping calls; want none", n)
		}
	})
}

// When the shipping service fails, every order's shipment is null with the
// shipping service's error at its path; the orders keep their data.
func TestShipmentsFailing(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Failing: []string{simulator.Shipping}})
	r := e.Post(t, shipmentsQuery, map[string]any{"ids": []any{"u1"}, "n": 3})
	var data shipmentsData
	gatewaytest.Decode(t, r.GQL.Data, &data)
	if len(data.Dashboards) != 1 || len(data.Dashboards[0].Orders) != 3 {
		t.Fatalf("data %s; want the three orders", r.GQL.Data)
	}
	var got []string
	for _, e := range r.GQL.Errors {
		got = append(got, e.Code()+" "+e.Service()+" at "+e.PathString())
	}
	want := []string{
		"UPSTREAM_ERROR shipping at dashboards.0.orders.0.shipment",
		"UPSTREAM_ERROR shipping at dashboards.0.orders.1.shipment",
		"UPSTREAM_ERROR shipping at dashboards.0.orders.2.shipment",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
