// Package model holds the Go types behind the GraphQL schema: the hand-written
// ones here, which carry what resolvers need beyond the public fields, and the
// ones gqlgen generates into models_gen.go.
package model

// Dashboard is the root of one user's dashboard. It carries only the user id:
// every other field has its own resolver, so only selected fields cost a
// downstream call.
type Dashboard struct {
	UserID string
}

// OrderItem is one line of an order. ProductID is not public: the product
// resolver looks it up in the catalog.
type OrderItem struct {
	Quantity  int
	UnitPrice *Money
	ProductID string
}

// Recommendation is a product suggested to a user. ProductID is not public:
// the product resolver looks it up in the catalog.
type Recommendation struct {
	Score     float64
	Reason    *string
	ProductID string
}

// Money is an amount in the currency's minor unit. Formatted is computed only
// when a client selects it.
type Money struct {
	AmountMinor int
	Currency    string
}
