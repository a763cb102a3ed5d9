package dashboard_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

// The models a Service must make of the simulator's data, built here from
// the data itself, field by field, and compared as JSON: a field lost,
// a null made a value or an amount off shows in the diff.

func wantMoney(m simulator.Money) *model.Money {
	return &model.Money{AmountMinor: int(m.AmountMinor), Currency: m.Currency}
}

// wantProfile is the model of the simulator's profile p: the service's
// answer and the schema's Profile have the same names, so every field of
// one (a field added to both too) is compared.
func wantProfile(tb testing.TB, p simulator.UserProfile) *model.Profile {
	tb.Helper()
	var m model.Profile
	if err := json.Unmarshal([]byte(asJSON(tb, p)), &m); err != nil {
		tb.Fatalf("profile %+v as the schema's: %v", p, err)
	}
	return &m
}

func wantOrders(in []simulator.Order) []*model.Order {
	out := make([]*model.Order, len(in))
	for i, o := range in {
		items := make([]*model.OrderItem, len(o.Items))
		for j, it := range o.Items {
			items[j] = &model.OrderItem{Quantity: it.Quantity, UnitPrice: wantMoney(it.UnitPrice)}
		}
		out[i] = &model.Order{ID: o.ID, Status: model.OrderStatus(o.Status), PlacedAt: o.PlacedAt, Total: wantMoney(o.Total), Items: items}
	}
	return out
}

func wantRecommendations(in []simulator.Recommendation) []*model.Recommendation {
	out := make([]*model.Recommendation, len(in))
	for i, r := range in {
		out[i] = &model.Recommendation{Score: r.Score, Reason: r.Reason}
	}
	return out
}

// wantFeed is the feed of all, a user's notifications: the unread count of
// all, and the first limit items (only the unread ones with unreadOnly).
func wantFeed(all []simulator.Notification, limit int, unreadOnly bool) *model.NotificationFeed {
	f := &model.NotificationFeed{Items: []*model.Notification{}}
	for _, n := range all {
		if !n.Read {
			f.UnreadCount++
		}
		if len(f.Items) < limit && (!unreadOnly || !n.Read) {
			f.Items = append(f.Items, &model.Notification{ID: n.ID, Kind: model.NotificationKind(n.Kind), Title: n.Title, CreatedAt: n.CreatedAt, Read: n.Read})
		}
	}
	return f
}

func wantWallet(w simulator.UserWallet) *model.Wallet {
	return &model.Wallet{Balance: wantMoney(w.Balance), LoyaltyPoints: w.LoyaltyPoints}
}

func wantProduct(tb testing.TB, id string) *model.Product {
	tb.Helper()
	p, ok := simulator.ProductOf(id)
	if !ok {
		tb.Fatalf("the simulator has no product %s", id)
	}
	return &model.Product{ID: p.ID, Name: p.Name, Price: wantMoney(p.Price), ImageURL: p.ImageURL, InStock: p.InStock}
}

// assertModel fails unless got and want read the same as JSON (times
// included: a time not in UTC shows its offset).
func assertModel(tb testing.TB, what string, got, want any) {
	tb.Helper()
	g, w := asJSON(tb, got), asJSON(tb, want)
	if g != w {
		tb.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func asJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	return string(b)
}

// userWhere returns the first of the simulator's users whose data has the
// property named what.
func userWhere(tb testing.TB, what string, has func(userID string) bool) string {
	tb.Helper()
	for n := 1; n <= 1000; n++ {
		if id := fmt.Sprintf("u%d", n); has(id) {
			return id
		}
	}
	tb.Fatalf("no user among the first 1000: %s", what)
	return ""
}
