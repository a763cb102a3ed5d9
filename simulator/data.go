package simulator

import (
	"math/rand/v2"
	"time"
)

// The generated data is a pure function of the ids: users "u1".."u100000"
// and products "p1".."p5000" exist, everything else is unknown. Each entity
// draws from its own PCG stream seeded by the FNV-64a hash of its id and a
// per-kind constant, so the data is the same in every run and process and
// does not depend on Options.Seed.

// NumUsers is how many users exist: "u1" to "u100000".
const NumUsers = 100000

// NumProducts is how many products exist: "p1" to "p5000".
const NumProducts = 5000

// Currency is the currency of every amount the services return.
const Currency = "EUR"

// Money is an amount in minor units of a currency (cents for EUR).
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// UserProfile is what the profile service returns for a user. (It is not
// called Profile because that name is the profile service's constant.)
type UserProfile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       *string   `json:"email,omitempty"`     // nil for about 20% of users
	AvatarURL   *string   `json:"avatarUrl,omitempty"` // nil for about 30% of users
	Tier        string    `json:"tier"`                // STANDARD, SILVER, GOLD or PLATINUM
	MemberSince time.Time `json:"memberSince"`         // a UTC midnight
}

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

// Product is one product as the catalog service returns it.
type Product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    Money   `json:"price"`
	ImageURL *string `json:"imageUrl"` // nil (JSON null) for about 20% of products
	InStock  bool    `json:"inStock"`
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

// UserWallet is what the wallet service returns for a user. (It is not
// called Wallet because that name is the wallet service's constant.)
type UserWallet struct {
	Balance       Money `json:"balance"`
	LoyaltyPoints int   `json:"loyaltyPoints"`
}

// Second seeds of the per-entity streams, one per kind of data, so that a
// user's profile and orders are independent draws.
const (
	kindProfile uint64 = 0x9e3779b97f4a7c15 + iota
	kindWallet
	kindOrders
	kindRecommendations
	kindNotifications
	kindProduct
	kindShipment
)

// stream returns the random stream of one kind of data of one entity.
func stream(kind uint64, id string) *rand.Rand {
	return rand.New(rand.NewPCG(fnv64a(id), kind))
}

// fnv64a is FNV-1a over the bytes of s, without hash.Hash's allocation.
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// dataEnd is the instant all generated timestamps lie before.
func dataEnd() time.Time { return time.Date(2026, time.November, 27, 0, 0, 0, 0, time.UTC) }

// userNum returns n for a user id "u<n>" that exists.
func userNum(id string) (int, bool) { return entityNum(id, 'u', NumUsers) }

// productNum returns n for a product id "p<n>" that exists.
func productNum(id string) (int, bool) { return entityNum(id, 'p', NumProducts) }

// entityNum parses prefix followed by a decimal in 1..limit written
// without leading zeros.
func entityNum(id string, prefix byte, limit int) (int, bool) {
	if len(id) < 2 || len(id) > 7 || id[0] != prefix || id[1] == '0' {
		return 0, false
	}
	n := 0
	for i := 1; i < len(id); i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= limit
}

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// eur returns an amount in euro cents.
func eur(minor int64) Money { return Money{AmountMinor: minor, Currency: Currency} }

// ptr returns a pointer to a copy of s.
func ptr(s string) *string { return &s }
