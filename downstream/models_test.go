package downstream_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
)

// A list's models cost a fixed number of allocations, however long the
// list: one slice per type, not one allocation per value.
func TestListModelsAllocateTogether(t *testing.T) {
	amount := func() *downstream.Money { n := int64(199); return &downstream.Money{AmountMinor: &n, Currency: "EUR"} }
	one, yes, score := 1, true, 0.5
	var (
		ords  []*downstream.Order
		recs  []*downstream.Recommendation
		found = map[string]*downstream.Product{}
		feed  = &downstream.NotificationFeed{UnreadCount: &one}
	)
	for i := range 10 {
		id := fmt.Sprint("p", i)
		ords = append(ords, &downstream.Order{ID: fmt.Sprint("o", i), Status: "PAID", PlacedAt: time.Now(), Total: amount(),
			Items: []downstream.OrderItem{{ProductID: id, Quantity: &one, UnitPrice: amount()}, {ProductID: "p0", Quantity: &one, UnitPrice: amount()}}})
		recs = append(recs, &downstream.Recommendation{ProductID: id, Score: &score})
		found[id] = &downstream.Product{ID: id, Name: "n", Price: amount(), InStock: &yes}
		feed.Items = append(feed.Items, downstream.Notification{ID: fmt.Sprint("n", i), Kind: "SYSTEM", Title: "t", CreatedAt: time.Now(), Read: &yes})
	}
	tests := []struct {
		name string
		f    func()
		max  float64
	}{
		{"orders", func() { downstream.OrderModels(ords) }, 5},
		{"recommendations", func() { downstream.RecommendationModels(recs) }, 2},
		{"products", func() { downstream.ProductModels(found) }, 6}, // the map takes four
		{"notifications", func() { feed.Model() }, 3},
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(50, tc.f); n > tc.max {
			t.Errorf("%s of 10 values: %v allocations, want at most %v", tc.name, n, tc.max)
		}
	}
}
