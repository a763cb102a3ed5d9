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
