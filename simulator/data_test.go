package simulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestEntityIDs(t *testing.T) {
	tests := []struct {
		id            string
		user, product bool
	}{
		{"u1", true, false},
		{"u100000", true, false},
		{"u99999", true, false},
		{"p1", false, true},
		{"p5000", false, true},
		{"u0", false, false},
		{"u100001", false, false},
		{"u01", false, false},
		{"U1", false, false},
		{"u", false, false},
		{"", false, false},
		{"u1a", false, false},
		{"u-1", false, false},
		{"u+1", false, false},
		{"u1000000", false, false},
		{"p0", false, false},
		{"p5001", false, false},
		{"p007", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			_, user := ProfileOf(tt.id)
			_, wallet := WalletOf(tt.id)
			_, product := ProductOf(tt.id)
			if user != tt.user || wallet != tt.user || product != tt.product {
				t.Errorf("ProfileOf, WalletOf, ProductOf(%q) found %v, %v, %v; want %v, %v, %v",
					tt.id, user, wallet, product, tt.user, tt.user, tt.product)
			}
			orders, recs, notes := OrdersOf(tt.id), RecommendationsOf(tt.id), NotificationsOf(tt.id)
			if !tt.user && (len(orders) != 0 || len(recs) != 0 || len(notes) != 0) {
				t.Errorf("unknown user %q has %d orders, %d recommendations, %d notifications; want none",
					tt.id, len(orders), len(recs), len(notes))
			}
		})
	}
}

// userData is everything the services know of one user, for golden files.
type userData struct {
	Profile         UserProfile
	Orders          []Order
	Recommendations []Recommendation
	Notifications   []Notification
	Wallet          UserWallet
	Shipments       []Shipment // of the orders that have one, newest first
}

func dataOf(id string) userData {
	p, _ := ProfileOf(id)
	w, _ := WalletOf(id)
	d := userData{p, OrdersOf(id), RecommendationsOf(id), NotificationsOf(id), w, nil}
	for _, o := range d.Orders {
		if s, ok := ShipmentOf(o.ID); ok {
			d.Shipments = append(d.Shipments, s)
		}
	}
	return d
}

// TestDataGolden pins the generated data, so that it stays the same
// across runs, processes and refactorings; run with -update after an
// intended change.
func TestDataGolden(t *testing.T) {
	p1, _ := ProductOf("p1")
	got, err := json.MarshalIndent(struct {
		U1, U3 userData
		P1     Product
	}{dataOf("u1"), dataOf("u3"), p1}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "data.golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("data of u1, u3 and p1 differ from %s; run go test -update if that is intended", path)
	}
	if !reflect.DeepEqual(dataOf("u77"), dataOf("u77")) {
		t.Error("two calls for u77 gave different data")
	}
}

// TestProfileRules checks the rules of profiles and wallets over many users.
func TestProfileRules(t *testing.T) {
	const n = 3000
	from, end := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), dataEnd()
	tiers := map[string]int{}
	emails, avatars := 0, 0
	for i := 1; i <= n; i++ {
		id := "u" + strconv.Itoa(i)
		p, ok := ProfileOf(id)
		if !ok || p.ID != id || len(strings.Fields(p.Name)) != 2 {
			t.Fatalf("ProfileOf(%q) = %+v, %v; want the user with a two-word name", id, p, ok)
		}
		tiers[p.Tier]++
		if p.Email != nil {
			emails++
			if !strings.HasSuffix(*p.Email, "@example.com") {
				t.Errorf("ProfileOf(%q).Email = %q; want an @example.com address", id, *p.Email)
			}
		}
		if p.AvatarURL != nil {
			avatars++
			if want := "https://img.example.com/" + id + ".png"; *p.AvatarURL != want {
				t.Errorf("ProfileOf(%q).AvatarURL = %q; want %q", id, *p.AvatarURL, want)
			}
		}
		ms := p.MemberSince
		if ms.Before(from) || !ms.Before(end) || ms.Location() != time.UTC || !ms.Equal(ms.Truncate(24*time.Hour)) {
			t.Errorf("ProfileOf(%q).MemberSince = %v; want a UTC date from 2015 to 2026", id, ms)
		}
		w, ok := WalletOf(id)
		if !ok || w.Balance.AmountMinor < 0 || w.Balance.AmountMinor > 100000 || w.Balance.Currency != "EUR" ||
			w.LoyaltyPoints < 0 || w.LoyaltyPoints > 20000 {
			t.Errorf("WalletOf(%q) = %+v, %v; want balance 0..100000 EUR, points 0..20000", id, w, ok)
		}
	}
	for tier, count := range tiers {
		switch tier {
		case "STANDARD", "SILVER", "GOLD", "PLATINUM":
		default:
			t.Errorf("tier %q (%d users); want STANDARD, SILVER, GOLD or PLATINUM", tier, count)
		}
	}
	if len(tiers) != 4 {
		t.Errorf("tiers %v; want all four", tiers)
	}
	checkShare(t, "users with email", emails, n, 0.8)
	checkShare(t, "users with avatar", avatars, n, 0.7)
}

// checkShare fails unless count/total is within 0.05 of want.
func checkShare(tb testing.TB, what string, count, total int, want float64) {
	tb.Helper()
	if got := float64(count) / float64(total); got < want-0.05 || got > want+0.05 {
		tb.Errorf("share of %s = %.3f (%d of %d); want about %.2f", what, got, count, total, want)
	}
}

func TestProductRules(t *testing.T) {
	images, inStock := 0, 0
	for i := 1; i <= NumProducts; i++ {
		id := "p" + strconv.Itoa(i)
		p, ok := ProductOf(id)
		if !ok || p.ID != id || len(strings.Fields(p.Name)) != 2 {
			t.Fatalf("ProductOf(%q) = %+v, %v; want the product with a two-word name", id, p, ok)
		}
		if p.Price.AmountMinor < 199 || p.Price.AmountMinor > 49999 || p.Price.Currency != "EUR" {
			t.Errorf("ProductOf(%q).Price = %+v; want 199..49999 EUR", id, p.Price)
		}
		if p.ImageURL != nil {
			images++
			if want := "https://img.example.com/" + id + ".png"; *p.ImageURL != want {
				t.Errorf("ProductOf(%q).ImageURL = %q; want %q", id, *p.ImageURL, want)
			}
		}
		if p.InStock {
			inStock++
		}
		if got := productPrice(id); got != p.Price.AmountMinor {
			t.Errorf("productPrice(%q) = %d; want ProductOf's %d", id, got, p.Price.AmountMinor)
		}
	}
	checkShare(t, "products with image", images, NumProducts, 0.8)
	checkShare(t, "products in stock", inStock, NumProducts, 0.85)
}
