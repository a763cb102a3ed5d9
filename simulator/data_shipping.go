package simulator

import (
	"strconv"
	"strings"
	"time"
)

// Shipment is an order's shipment as the shipping service returns it.
type Shipment struct {
	OrderID           string     `json:"orderId"`
	Carrier           string     `json:"carrier"`
	Status            string     `json:"status"`                      // LABEL_CREATED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED or EXCEPTION
	EstimatedDelivery *time.Time `json:"estimatedDelivery,omitempty"` // a UTC midnight after placedAt; absent for about 20%
	TrackingURL       *string    `json:"trackingUrl"`                 // nil (JSON null) for about 20%
}

// carriers are the carriers shipments go with.
var carriers = [...]string{"DHL", "UPS", "FedEx", "GLS", "DPD", "PostNL"}

// ShipmentOf returns the shipment of an order (an id of [OrdersOf]'s), and
// false for an order without one: an unknown order, or one PENDING, PAID
// or CANCELLED. A SHIPPED order's shipment is on its way (LABEL_CREATED,
// IN_TRANSIT, OUT_FOR_DELIVERY, or for about 1 in 12 EXCEPTION); a
// DELIVERED order's is DELIVERED. About 80% have an estimated delivery
// (2 to 7 days after the order was placed) and 80% a tracking URL.
func ShipmentOf(orderID string) (Shipment, bool) {
	o, ok := orderOf(orderID)
	if !ok {
		return Shipment{}, false
	}
	r := stream(kindShipment, orderID)
	carrier, progress, days := pick(r, carriers[:]), r.IntN(100), 2+r.IntN(6)
	hasETA, hasTracking := r.IntN(100) < 80, r.IntN(100) < 80
	s := Shipment{OrderID: orderID, Carrier: carrier}
	switch {
	case o.Status == "DELIVERED":
		s.Status = "DELIVERED"
	case o.Status != "SHIPPED":
		return Shipment{}, false
	case progress < 20:
		s.Status = "LABEL_CREATED"
	case progress < 70:
		s.Status = "IN_TRANSIT"
	case progress < 92:
		s.Status = "OUT_FOR_DELIVERY"
	default:
		s.Status = "EXCEPTION"
	}
	if hasETA {
		y, m, d := o.PlacedAt.Date()
		eta := time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
		s.EstimatedDelivery = &eta
	}
	if hasTracking {
		s.TrackingURL = ptr("https://track.example.com/" + orderID)
	}
	return s, true
}

// orderOf returns the order orderID names, "o-<user id>-<n>": the user's
// n-th order, counted from the oldest.
func orderOf(orderID string) (Order, bool) {
	rest, ok := strings.CutPrefix(orderID, "o-")
	i := strings.LastIndexByte(rest, '-')
	if !ok || i < 0 {
		return Order{}, false
	}
	userID, num := rest[:i], rest[i+1:]
	n, err := strconv.Atoi(num)
	if err != nil || strconv.Itoa(n) != num { // no sign, no leading zeros
		return Order{}, false
	}
	orders := OrdersOf(userID)
	if n < 1 || n > len(orders) {
		return Order{}, false
	}
	return orders[len(orders)-n], true
}
