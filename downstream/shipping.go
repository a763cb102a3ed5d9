package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
	"time"
)

// Shipping is the shipping service.
const Shipping Service = "shipping"

// shipmentStatuses are the values of a shipment's status: the schema's
// ShipmentStatus.
var shipmentStatuses = enum(model.AllShipmentStatus)

// Shipment is an order's shipment as the shipping service sends it.
type Shipment struct {
	OrderID           string     `json:"orderId"`
	Carrier           string     `json:"carrier"`
	Status            string     `json:"status"`
	EstimatedDelivery *time.Time `json:"estimatedDelivery"` // optional: absent or null
	TrackingURL       *string    `json:"trackingUrl"`       // optional: absent or null
}

func (s *Shipment) validate() error {
	var c checks
	c.id("orderId", s.OrderID)
	c.nonEmpty("carrier", s.Carrier)
	c.oneOf("status", s.Status, shipmentStatuses)
	if s.EstimatedDelivery != nil {
		c.time("estimatedDelivery", *s.EstimatedDelivery)
	}
	return c.err
}

type shipmentsResponse struct {
	Shipments []*Shipment `json:"shipments"`
}

func (r *shipmentsResponse) validate() error { return validateList("shipments", r.Shipments) }

// Shipments returns the shipments of the orders with the given ids (at most
// MaxBatch), keyed by order id; an order without a shipment is absent from
// the map.
func (c *Clients) Shipments(ctx context.Context, orderIDs []string) (map[string]*Shipment, error) {
	return getBatch(ctx, c.of(Shipping), "get shipments", orderIDs, false,
		func(r *shipmentsResponse) []*Shipment { return r.Shipments },
		func(s *Shipment) string { return s.OrderID })
}

// ShipmentModels returns, for each of orderIDs, its shipment in found as
// the schema's Shipment, or nil when it has none, allocated together.
func ShipmentModels(orderIDs []string, found map[string]*Shipment) []*model.Shipment {
	models := make([]model.Shipment, 0, len(found))
	out := make([]*model.Shipment, len(orderIDs))
	for i, id := range orderIDs {
		s, ok := found[id]
		if !ok {
			continue
		}
		var eta *time.Time
		if s.EstimatedDelivery != nil {
			t := s.EstimatedDelivery.UTC()
			eta = &t
		}
		models = append(models, model.Shipment{
			Carrier:           s.Carrier,
			Status:            model.ShipmentStatus(s.Status),
			EstimatedDelivery: eta,
			TrackingURL:       s.TrackingURL,
		})
		out[i] = &models[len(models)-1]
	}
	return out
}
