package dashboard

import (
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graph/model"
)

// The functions below turn validated downstream answers into public models.
// Downstream validation guarantees every required field is present.

func money(m *downstream.Money) *model.Money {
	return &model.Money{AmountMinor: int(*m.AmountMinor), Currency: m.Currency}
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
	out := make([]*model.Order, len(in))
	for i, o := range in {
		items := make([]*model.OrderItem, len(o.Items))
		for j, it := range o.Items {
			items[j] = &model.OrderItem{Quantity: *it.Quantity, UnitPrice: money(it.UnitPrice)}
		}
		out[i] = &model.Order{
			ID:       o.ID,
			Status:   model.OrderStatus(o.Status),
			PlacedAt: o.PlacedAt.UTC(),
			Total:    money(o.Total),
			Items:    items,
		}
	}
	return out
}

func product(p *downstream.Product) *model.Product {
	return &model.Product{
		ID:       p.ID,
		Name:     p.Name,
		Price:    money(p.Price),
		ImageURL: p.ImageURL,
		InStock:  *p.InStock,
	}
}

func recommendations(in []*downstream.Recommendation) []*model.Recommendation {
	out := make([]*model.Recommendation, len(in))
	for i, r := range in {
		out[i] = &model.Recommendation{Score: *r.Score, Reason: r.Reason}
	}
	return out
}

func notificationFeed(f *downstream.NotificationFeed) *model.NotificationFeed {
	items := make([]*model.Notification, len(f.Items))
	for i, n := range f.Items {
		items[i] = &model.Notification{
			ID:        n.ID,
			Kind:      model.NotificationKind(n.Kind),
			Title:     n.Title,
			CreatedAt: n.CreatedAt.UTC(),
			Read:      *n.Read,
		}
	}
	return &model.NotificationFeed{UnreadCount: *f.UnreadCount, Items: items}
}

func wallet(w *downstream.UserWallet) *model.Wallet {
	return &model.Wallet{Balance: money(w.Balance), LoyaltyPoints: *w.LoyaltyPoints}
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
