// Package resolvers implements the GraphQL schema with thin resolvers: each
// says what the client selected and asks package dashboard for the data.
// Each service-backed field has a resolver of its own, so the executors run
// them concurrently and only selected fields cost a downstream call. Both
// executors call them: gqlgen's (graph), and package fastpath, which tells
// them what their field selects from its plan (fastpath.SelectionOf)
// instead of their collecting it again.
package resolvers

import "github.com/acme/dashboard-gateway/dashboard"

// Resolver is the root of the resolvers. It holds no per-request state: the
// operation's loaders come from the context (see package loaders).
type Resolver struct {
	dashboards dashboard.Builder
}

// New returns the root resolver over the dashboards of d.
func New(d dashboard.Builder) *Resolver {
	return &Resolver{dashboards: d}
}
