// Package resolvers implements the GraphQL schema for gqlgen's executor with
// thin resolvers: each says what the client selected and asks package
// dashboard for the data. Each service-backed Dashboard field has a
// resolver of its own, so gqlgen runs them concurrently and only selected
// fields cost a downstream call. Operations that package fastpath can run
// do not come here at all; these resolvers serve the rest (introspection,
// @defer) the same way.
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
