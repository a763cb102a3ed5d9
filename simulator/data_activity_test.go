package simulator

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestOrderRules(t *testing.T) {
	const n = 500
	ids := map[string]bool{}
	counts := map[int]int{}
	for i := 1; i <= n; i++ {
		user := "u" + strconv.Itoa(i)
		orders := OrdersOf(user)
		counts[len(orders)]++
		if len(orders) > 30 {
			t.Errorf("OrdersOf(%q) has %d orders; want at most 30", user, len(orders))
		}
		for j, o := range orders {
			if ids[o.ID] {
				t.Errorf("OrdersOf(%q)[%d].ID %q is not unique", user, j, o.ID)
			}
			ids[o.ID] = true
			if !slices.Contains([]string{"PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"}, o.Status) {
				t.Errorf("order %s status %q; want a known status", o.ID, o.Status)
			}
			if o.PlacedAt.Location() != time.UTC || !o.PlacedAt.Before(dataEnd()) {
				t.Errorf("order %s placedAt %v; want UTC before 2026-11-27", o.ID, o.PlacedAt)
			}
			if j > 0 && !o.PlacedAt.Before(orders[j-1].PlacedAt) {
				t.Errorf("order %s placedAt %v not before the previous %v; want newest first", o.ID, o.PlacedAt, orders[j-1].PlacedAt)
			}
			if len(o.Items) < 1 || len(o.Items) > 4 {
				t.Errorf("order %s has %d items; want 1..4", o.ID, len(o.Items))
			}
			var total int64
			for _, it := range o.Items {
				p, ok := ProductOf(it.ProductID)
				if !ok || it.UnitPrice != p.Price || it.Quantity < 1 || it.Quantity > 3 {
					t.Errorf("order %s item %+v; want an existing product at its price %+v, quantity 1..3", o.ID, it, p.Price)
				}
				total += int64(it.Quantity) * it.UnitPrice.AmountMinor
			}
			if o.Total != (Money{total, "EUR"}) {
				t.Errorf("order %s total %+v; want %d EUR", o.ID, o.Total, total)
			}
		}
	}
	for _, user := range []string{"u1", "u2"} {
		if got := len(OrdersOf(user)); got < 12 {
			t.Errorf("OrdersOf(%q) has %d orders; want at least 12", user, got)
		}
	}
	if got := len(OrdersOf("u3")); got != 0 {
		t.Errorf("OrdersOf(u3) has %d orders; want 0", got)
	}
	if counts[0] < 2 || counts[30] == 0 || counts[15] == 0 {
		t.Errorf("order counts per user %v; want the whole range 0..30 in use", counts)
	}
}

func TestRecommendationRules(t *testing.T) {
	reasons, total := 0, 0
	for i := 1; i <= 500; i++ {
		user := "u" + strconv.Itoa(i)
		recs := RecommendationsOf(user)
		if len(recs) != 25 {
			t.Fatalf("RecommendationsOf(%q) has %d items; want 25", user, len(recs))
		}
		seen := map[string]bool{}
		for j, r := range recs {
			total++
			if r.Reason != nil {
				reasons++
			}
			if _, ok := ProductOf(r.ProductID); !ok || seen[r.ProductID] {
				t.Errorf("RecommendationsOf(%q)[%d] product %q; want distinct existing products", user, j, r.ProductID)
			}
			seen[r.ProductID] = true
			if r.Score <= 0 || r.Score > 1 || (j > 0 && r.Score >= recs[j-1].Score) {
				t.Errorf("RecommendationsOf(%q)[%d] score %v; want in (0,1], below the previous", user, j, r.Score)
			}
		}
	}
	checkShare(t, "recommendations with reason", reasons, total, 0.6)
}

func TestNotificationRules(t *testing.T) {
	titles := map[string][]string{}
	for _, k := range notificationTitles {
		titles[k.kind] = k.titles
	}
	unread, total := 0, 0
	ids := map[string]bool{}
	for i := 1; i <= 500; i++ {
		user := "u" + strconv.Itoa(i)
		ns := NotificationsOf(user)
		if len(ns) != 20 {
			t.Fatalf("NotificationsOf(%q) has %d items; want 20", user, len(ns))
		}
		for j, n := range ns {
			total++
			if !n.Read {
				unread++
			}
			if ids[n.ID] {
				t.Errorf("notification id %q is not unique", n.ID)
			}
			ids[n.ID] = true
			if !slices.Contains(titles[n.Kind], n.Title) {
				t.Errorf("notification %s kind %q title %q; want a known kind and a title of it", n.ID, n.Kind, n.Title)
			}
			if n.CreatedAt.Location() != time.UTC || !n.CreatedAt.Before(dataEnd()) ||
				(j > 0 && !n.CreatedAt.Before(ns[j-1].CreatedAt)) {
				t.Errorf("notification %s createdAt %v; want UTC, before 2026-11-27 and the previous", n.ID, n.CreatedAt)
			}
		}
	}
	if len(titles) != 4 {
		t.Errorf("notification kinds %d; want 4", len(titles))
	}
	checkShare(t, "unread notifications", unread, total, 0.4)
}

// BenchmarkUserData shows what one request's generation costs.
func BenchmarkUserData(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		user := "u" + strconv.Itoa(1+i%NumUsers)
		ProfileOf(user)
		OrdersOf(user)
		RecommendationsOf(user)
		NotificationsOf(user)
		WalletOf(user)
	}
}
