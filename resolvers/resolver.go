// Package resolvers implements the GraphQL schema with thin resolvers:
// arguments, then validation, then the operation's loaders, then the public
// models. Each Dashboard field has a resolver of its own, so gqlgen runs them
// concurrently and only selected fields cost a downstream call.
//
// There is no HTTP here and no waiting on anything but the loaders, which
// return at the request deadline.
package resolvers

// Resolver is the root of the resolvers. It holds no per-request state: the
// operation's loaders come from the context (see package loaders).
type Resolver struct{}

// New returns the root resolver.
func New() *Resolver { return &Resolver{} }
