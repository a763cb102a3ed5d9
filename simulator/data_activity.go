package simulator

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Order is one order as the orders service returns it.
type Order struct {
	ID       string      `json:"id"`
	Status   string      `json:"status"`   // PENDING, PAID, SHIPPED, DELIVERED or CANCELLED
	PlacedAt time.Time   `json:"placedAt"` // UTC, whole seconds
	Total    Money       `json:"total"`    // the sum of quantity * unit price of Items
	Items    []OrderItem `json:"items"`    // 1 to 4 distinct products
}

// OrderItem is one line of an [Order].
type OrderItem struct {
	ProductID string `json:"productId"`
	Quantity  int    `json:"quantity"`  // 1 to 3
	UnitPrice Money  `json:"unitPrice"` // the product's price
}

// Recommendation is one item of the recommendations service.
type Recommendation struct {
	ProductID string  `json:"productId"`
	Score     float64 `json:"score"`  // in (0, 1], three decimals
	Reason    *string `json:"reason"` // nil (JSON null) for about 40% of items
}

// Notification is one item of the notifications service.
type Notification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // ORDER_UPDATE, PROMOTION, SECURITY or SYSTEM
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"createdAt"` // UTC, whole seconds
	Read      bool      `json:"read"`
}

// OrdersOf returns all orders of a user, newest first, and nil for an
// unknown user. Users have 0 to 30 orders; u1 and u2 have at least 12 and
// u3 has none, so tests can rely on them. Order ids ("o-u1-7") are unique,
// placedAt strictly decreases, and every total adds up.
func OrdersOf(userID string) []Order {
	n, ok := userNum(userID)
	if !ok {
		return nil
	}
	r := stream(kindOrders, userID)
	count := r.IntN(31)
	switch n {
	case 1, 2:
		count = 12 + r.IntN(19)
	case 3:
		count = 0
	}
	end := dataEnd()
	at := end.Add(-time.Duration(3600+r.IntN(30*86400)) * time.Second)
	orders := make([]Order, count)
	items := make([]OrderItem, 4*count) // one backing array for every order's items
	for i := range orders {
		if i > 0 {
			at = at.Add(-time.Duration(3600+r.IntN(20*86400)) * time.Second)
		}
		o := Order{
			ID:       seqID("o-", userID, count-i),
			Status:   orderStatus(r, end.Sub(at)),
			PlacedAt: at,
		}
		o.Items, items = items[:1+r.IntN(4):4], items[4:]
		for j := range o.Items {
			pid := drawProduct(r)
			for slices.ContainsFunc(o.Items[:j], func(it OrderItem) bool { return it.ProductID == pid }) {
				pid = drawProduct(r)
			}
			it := OrderItem{ProductID: pid, Quantity: 1 + r.IntN(3), UnitPrice: eur(productPrice(pid))}
			o.Items[j] = it
			o.Total.AmountMinor += int64(it.Quantity) * it.UnitPrice.AmountMinor
		}
		o.Total.Currency = Currency
		orders[i] = o
	}
	return orders
}

// seqID returns prefix + userID + "-" + n, as in "o-u1-7", allocating once.
func seqID(prefix, userID string, n int) string {
	var buf [32]byte
	b := append(append(append(buf[:0], prefix...), userID...), '-')
	return string(strconv.AppendInt(b, int64(n), 10))
}

// orderStatus draws a status that fits an order's age: recent orders are
// still moving, old ones delivered, and a few of any age cancelled.
func orderStatus(r *rand.Rand, age time.Duration) string {
	cancelled, further := r.IntN(100) < 6, r.IntN(2) == 0
	const day = 24 * time.Hour
	switch {
	case cancelled:
		return "CANCELLED"
	case age < day:
		return choose(further, "PAID", "PENDING")
	case age < 4*day:
		return choose(further, "SHIPPED", "PAID")
	case age < 14*day:
		return choose(further, "DELIVERED", "SHIPPED")
	default:
		return "DELIVERED"
	}
}

// choose returns yes if b, else no.
func choose(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// RecommendationsOf returns all 25 recommendations of a user, best first
// (scores strictly decrease within (0, 1]), and nil for an unknown user.
// The products are distinct; about 60% of the items carry a reason.
func RecommendationsOf(userID string) []Recommendation {
	if _, ok := userNum(userID); !ok {
		return nil
	}
	r := stream(kindRecommendations, userID)
	recs := make([]Recommendation, 25)
	milli := 900 + r.IntN(101) // score in thousandths; steps of >= 5 keep it > 0
	for i := range recs {
		if i > 0 {
			milli -= 5 + r.IntN(31)
		}
		pid := drawProduct(r)
		for slices.ContainsFunc(recs[:i], func(rc Recommendation) bool { return rc.ProductID == pid }) {
			pid = drawProduct(r)
		}
		recs[i] = Recommendation{ProductID: pid, Score: float64(milli) / 1000, Reason: drawReason(r)}
	}
	return recs
}

// drawReason returns a reason for about 60% of the draws.
func drawReason(r *rand.Rand) *string {
	switch d := r.IntN(10); d {
	case 0, 1:
		p, _ := ProductOf(drawProduct(r))
		return ptr("Bought with " + p.Name)
	case 2, 3:
		p, _ := ProductOf(drawProduct(r))
		return ptr("Because you viewed " + p.Name)
	case 4:
		return ptr("Popular in your area")
	case 5:
		return ptr("Trending this week")
	}
	return nil
}

// notificationTitles lists the titles that fit each notification kind.
var notificationTitles = [...]struct {
	kind   string
	titles []string
}{
	{"ORDER_UPDATE", []string{"Your order shipped", "Your order was delivered", "Your order is being prepared", "Payment received for your order"}},
	{"PROMOTION", []string{"20% off outdoor gear this weekend", "New arrivals picked for you", "Free shipping on orders over 50 EUR"}},
	{"SECURITY", []string{"New sign-in from a new device", "Your password was changed", "Two-factor authentication enabled"}},
	{"SYSTEM", []string{"Scheduled maintenance tonight", "We updated our terms of service", "Your monthly statement is ready"}},
}

// NotificationsOf returns all 20 notifications of a user, newest first
// (createdAt strictly decreases), and nil for an unknown user. Ids
// ("n-u1-20") are unique; about 40% are unread.
func NotificationsOf(userID string) []Notification {
	if _, ok := userNum(userID); !ok {
		return nil
	}
	r := stream(kindNotifications, userID)
	ns := make([]Notification, 20)
	at := dataEnd().Add(-time.Duration(60+r.IntN(3*86400)) * time.Second)
	for i := range ns {
		if i > 0 {
			at = at.Add(-time.Duration(600+r.IntN(5*86400)) * time.Second)
		}
		k := pick(r, notificationTitles[:])
		ns[i] = Notification{
			ID:        seqID("n-", userID, len(ns)-i),
			Kind:      k.kind,
			Title:     pick(r, k.titles),
			CreatedAt: at,
			Read:      r.IntN(100) >= 40,
		}
	}
	return ns
}
