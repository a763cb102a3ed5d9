package dashboard

import (
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graph/model"
)

// The functions below turn validated downstream answers into public models.
// Downstream validation guarantees every required field is present. A
// list's models are allocated together, one slice per type, rather than
// one allocation per value: a dashboard holds hundreds of them.

func money(m *downstream.Money) model.Money {
	return model.Money{AmountMinor: int(*m.AmountMinor), Currency: m.Currency}
}

func profile(p *downstream.UserProfile) *model.Profile {
	return &model.Profile{
		ID:          p.ID,
		Name:        p.Name,
		Email:       p.Email,
		AvatarURL:   p.AvatarURL,
		Tier:        model.Tier(p.Tier),
		MemberSince: p.MemberSince.UTC(),
	}
}

func orders(in []*downstream.Order) []*model.Order {
	n := 0
	for _, o := range in {
		n += len(o.Items)
	}
	orders := make([]model.Order, len(in))
	items := make([]model.OrderItem, n)
	itemPtrs := make([]*model.OrderItem, n)
	amounts := make([]model.Money, len(in)+n) // totals, then unit prices
	out := make([]*model.Order, len(in))
	k := 0 // the next item
	for i, o := range in {
		first := k
		for _, it := range o.Items {
			price := &amounts[len(in)+k]
			*price = money(it.UnitPrice)
			items[k] = model.OrderItem{Quantity: *it.Quantity, UnitPrice: price}
			itemPtrs[k] = &items[k]
			k++
		}
		amounts[i] = money(o.Total)
		orders[i] = model.Order{
			ID:       o.ID,
			Status:   model.OrderStatus(o.Status),
			PlacedAt: o.PlacedAt.UTC(),
			Total:    &amounts[i],
			Items:    itemPtrs[first:k:k],
		}
		out[i] = &orders[i]
	}
	return out
}

// products returns the models of found, by id.
func products(found map[string]*downstream.Product) map[string]*model.Product {
	out := make(map[string]*model.Product, len(found))
	models := make([]model.Product, len(found))
	prices := make([]model.Money, len(found))
	i := 0
	for id, p := range found {
		prices[i] = money(p.Price)
		models[i] = model.Product{
			ID:       p.ID,
			Name:     p.Name,
			Price:    &prices[i],
			ImageURL: p.ImageURL,
			InStock:  *p.InStock,
		}
		out[id] = &models[i]
		i++
	}
	return out
}

func recommendations(in []*downstream.Recommendation) []*model.Recommendation {
	recs := make([]model.Recommendation, len(in))
	out := make([]*model.Recommendation, len(in))
	for i, r := range in {
		recs[i] = model.Recommendation{Score: *r.Score, Reason: r.Reason}
		out[i] = &recs[i]
	}
	return out
}

func notificationFeed(f *downstream.NotificationFeed) *model.NotificationFeed {
	notes := make([]model.Notification, len(f.Items))
	items := make([]*model.Notification, len(f.Items))
	for i, n := range f.Items {
		notes[i] = model.Notification{
			ID:        n.ID,
			Kind:      model.NotificationKind(n.Kind),
			Title:     n.Title,
			CreatedAt: n.CreatedAt.UTC(),
			Read:      *n.Read,
		}
		items[i] = &notes[i]
	}
	return &model.NotificationFeed{UnreadCount: *f.UnreadCount, Items: items}
}

// shipments returns the models of the shipments found of the orders ids, in
// their order (nil for an order without one), allocated together.
func shipments(ids []string, found map[string]*downstream.Shipment) []*model.Shipment {
	models := make([]model.Shipment, 0, len(found))
	out := make([]*model.Shipment, len(ids))
	for i, id := range ids {
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

func wallet(w *downstream.UserWallet) *model.Wallet {
	balance := money(w.Balance)
	return &model.Wallet{Balance: &balance, LoyaltyPoints: *w.LoyaltyPoints}
}

// productIDs returns the distinct product ids of orders, in order.
func orderProductIDs(in []*downstream.Order) []string {
	seen := make(map[string]bool)
	var ids []string
	for _, o := range in {
		for _, it := range o.Items {
			if !seen[it.ProductID] {
				seen[it.ProductID] = true
				ids = append(ids, it.ProductID)
			}
		}
	}
	return ids
}
