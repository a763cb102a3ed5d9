// Package resolvers implements the GraphQL schema with thin resolvers:
// arguments, then validation, then the operation's loaders, then the public
// models. Each Dashboard field has a resolver of its own, so gqlgen runs them
// concurrently and only selected fields cost a downstream call.
//
// There is no HTTP here and no waiting on anything but the loaders, which
// return at the request deadline.
package resolvers

import "time"

// Resolver is the root of the resolvers. It holds no per-request state: the
// operation's loaders come from the context (see package loaders).
type Resolver struct {
	budgets         map[string]time.Duration
	requireIdentity bool
}

// Options configure the resolvers.
type Options struct {
	// Budgets makes Dashboard fields optional, each with its own budget
	// counted from the request's start: once it has passed and the
	// dashboard's other (critical) fields are in, the field stops waiting
	// and is null with UPSTREAM_TIMEOUT (reason field_budget). Keys are
	// field names: profile, orders, recommendations, notifications, wallet.
	// Nil means DefaultBudgets; an empty map makes every field critical.
	Budgets map[string]time.Duration
	// RequireIdentity refuses requests without an authenticated identity
	// (package auth) instead of treating them as "authentication off".
	RequireIdentity bool
}

// DefaultBudgets are the optional fields and their budgets by default: a
// dashboard is useful without recommendations and notifications, so they do
// not hold it up for long.
func DefaultBudgets() map[string]time.Duration {
	return map[string]time.Duration{
		"recommendations": 500 * time.Millisecond,
		"notifications":   500 * time.Millisecond,
	}
}

// New returns the root resolver.
func New(o Options) *Resolver {
	budgets := o.Budgets
	if budgets == nil {
		budgets = DefaultBudgets()
	}
	return &Resolver{budgets: budgets, requireIdentity: o.RequireIdentity}
}
