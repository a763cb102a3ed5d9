package simulator

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// Every order shipped or delivered has a shipment that fits it, and no
// other order has one.
func TestShipmentRules(t *testing.T) {
	statuses := map[string]int{}
	etas, tracked, total := 0, 0, 0
	for i := 1; i <= 300; i++ {
		for _, o := range OrdersOf("u" + strconv.Itoa(i)) {
			s, ok := ShipmentOf(o.ID)
			if want := o.Status == "SHIPPED" || o.Status == "DELIVERED"; ok != want {
				t.Errorf("ShipmentOf(%q) of a %s order: found %v; want %v", o.ID, o.Status, ok, want)
			}
			if !ok {
				continue
			}
			total++
			statuses[s.Status]++
			onTheWay := slices.Contains([]string{"LABEL_CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "EXCEPTION"}, s.Status)
			if s.OrderID != o.ID || !slices.Contains(carriers[:], s.Carrier) ||
				(o.Status == "SHIPPED") != onTheWay || (o.Status == "DELIVERED") != (s.Status == "DELIVERED") {
				t.Errorf("ShipmentOf(%q) of a %s order = %+v; want its id, a known carrier and a status that fits", o.ID, o.Status, s)
			}
			if e := s.EstimatedDelivery; e != nil {
				etas++
				if days := e.Sub(o.PlacedAt); e.Location() != time.UTC || !e.Equal(e.Truncate(24*time.Hour)) || days <= 24*time.Hour || days > 7*24*time.Hour {
					t.Errorf("ShipmentOf(%q) estimatedDelivery %v; want a UTC midnight 2 to 7 days after %v", o.ID, e, o.PlacedAt)
				}
			}
			if u := s.TrackingURL; u != nil {
				tracked++
				if *u != "https://track.example.com/"+o.ID {
					t.Errorf("ShipmentOf(%q) trackingUrl %q; want https://track.example.com/%s", o.ID, *u, o.ID)
				}
			}
		}
	}
	for _, status := range []string{"LABEL_CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"} {
		if statuses[status] == 0 {
			t.Errorf("no shipment %s among %d (%v); want every status in use", status, total, statuses)
		}
	}
	checkShare(t, "shipments with an estimated delivery", etas, total, 0.8)
	checkShare(t, "shipments with a tracking URL", tracked, total, 0.8)
}

// Only the ids of existing orders name shipments.
func TestShipmentOfUnknownOrders(t *testing.T) {
	u1 := OrdersOf("u1")
	for _, id := range []string{
		"", "o", "o-", "o-u1", "o-u1-", "o-u1-0", "o-u1-" + strconv.Itoa(len(u1)+1), "o-u1-01", "o-u1-+1", "o-u1--1",
		"o-u0-1", "o-u3-1", "o--1", "u1", "p1", "x-u1-1", "o-u1-1-1",
	} {
		if s, ok := ShipmentOf(id); ok {
			t.Errorf("ShipmentOf(%q) = %+v; want none", id, s)
		}
	}
}
