// Package model holds the Go types behind the GraphQL schema: the hand-written
// ones here, which carry what resolvers need beyond the public fields, and the
// ones gqlgen generates into models_gen.go.
package model

import "github.com/acme/dashboard-gateway/deadline"

// Dashboard is the root of one user's dashboard. It carries only the user id
// and the tracker of its critical fields: every other field has its own
// resolver, so only selected fields cost a downstream call.
type Dashboard struct {
	UserID string
	// Critical tracks the dashboard's critical fields still resolving, for
	// the budgets of its optional fields. Not public.
	Critical *deadline.Critical
}

// OrderItem is one line of an order. ProductID and Dashboard are not
// public: the product resolver looks the product up in the catalog, under
// the budget of the dashboard's orders field.
type OrderItem struct {
	Quantity  int
	UnitPrice *Money
	ProductID string
	Dashboard *Dashboard
}

// Recommendation is a product suggested to a user. ProductID and Dashboard
// are not public: the product resolver looks the product up in the catalog,
// under the budget of the dashboard's recommendations field.
type Recommendation struct {
	Score     float64
	Reason    *string
	ProductID string
	Dashboard *Dashboard
}

// Money is an amount in the currency's minor unit. Formatted is computed only
// when a client selects it.
type Money struct {
	AmountMinor int
	Currency    string
}
