package downstream_test

import (
	"context"
	"errors"
	"testing"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

// shippedOrders returns the ids of the first n orders of the simulator's
// users that have a shipment.
func shippedOrders(n int) []string {
	var ids []string
	for _, user := range simulatedIDs("u", 100) {
		for _, o := range simulator.OrdersOf(user) {
			if _, ok := simulator.ShipmentOf(o.ID); ok && len(ids) < n {
				ids = append(ids, o.ID)
			}
		}
	}
	return ids
}

// Shipments asks the simulated shipping service over HTTP and reads what
// it has: each shipment as simulator.ShipmentOf says, keyed by its order;
// the orders without one (pending, paid, cancelled, unknown) absent.
func TestShipmentsFromTheSimulator(t *testing.T) {
	c, _ := simulated(t, "attempts=1", cache.Options{})
	var ids []string
	for _, o := range simulator.OrdersOf("u2") {
		ids = append(ids, o.ID)
	}
	ids = append(ids, "o-u2-0", "o-u3-1")
	got, err := c.Shipments(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, id := range ids {
		want, ok := simulator.ShipmentOf(id)
		s := got[id]
		if (s != nil) != ok {
			t.Errorf("Shipments()[%s] = %+v; want present %v", id, s, ok)
			continue
		}
		if ok {
			found++
			if !sameShipment(s, want) {
				t.Errorf("Shipments()[%s] = %+v; want %+v", id, *s, want)
			}
		}
	}
	if found == 0 || len(got) != found {
		t.Errorf("Shipments() found %d of %d, with %d entries; want u2's shipped and delivered orders only", found, len(ids), len(got))
	}
}

// A failure of the shipping service is a *downstream.Error of the
// shipping service.
func TestShipmentsFailure(t *testing.T) {
	c, sim := simulated(t, "attempts=1", cache.Options{})
	sim.SetBehavior(simulator.Shipping, simulator.Behavior{Fault: simulator.FaultWrongShape})
	_, err := c.Shipments(context.Background(), shippedOrders(3))
	if e, ok := errors.AsType[*downstream.Error](err); !ok || e.Service != downstream.Shipping || e.Kind != downstream.KindInvalidResponse {
		t.Errorf("Shipments with a wrong-shape answer: %v; want a KindInvalidResponse *downstream.Error of shipping", err)
	}
}

// sameShipment reports whether got is what the simulator sent, want.
func sameShipment(got *downstream.Shipment, want simulator.Shipment) bool {
	sameTime := (got.EstimatedDelivery == nil) == (want.EstimatedDelivery == nil) &&
		(got.EstimatedDelivery == nil || got.EstimatedDelivery.Equal(*want.EstimatedDelivery))
	sameURL := (got.TrackingURL == nil) == (want.TrackingURL == nil) &&
		(got.TrackingURL == nil || *got.TrackingURL == *want.TrackingURL)
	return got.OrderID == want.OrderID && got.Carrier == want.Carrier && got.Status == want.Status && sameTime && sameURL
}
