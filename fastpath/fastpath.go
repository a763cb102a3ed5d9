// Package fastpath runs the gateway's GraphQL operations without gqlgen's
// per-field machinery, which costs every field of every response a field
// context, a middleware call, a marshaler closure, and every element of a
// list of objects a goroutine: a full dashboard is ~700 fields. Here an
// operation is planned once (its selections collected and merged, as
// GraphQL's CollectFields would for every object at run time), the
// service-backed Dashboard fields are resolved concurrently through package
// dashboard, as gqlgen's resolvers do, and the response is written straight
// from the models.
//
// It serves what it can plan: queries of the schema's dashboard types,
// fragments, aliases, @skip, @include and @defer (on the fragments of a
// Dashboard, for clients that accept incremental delivery: see defer.go).
// Everything else (introspection, a field it does not know) goes to the
// gqlgen executor it wraps,
// unchanged, so what a client sees never depends on which path served it:
// a differential test holds the two to the same bytes.
package fastpath

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/dashboard"
)

// Schema is a graphql.ExecutableSchema that runs the operations it can
// plan itself, and hands the others to the schema it wraps.
type Schema struct {
	graphql.ExecutableSchema
	dashboards dashboard.Builder
	// MaxConcurrent bounds the dashboards of one request resolved at once
	// (each one's fields concurrently). Zero means DefaultMaxConcurrent.
	maxConcurrent int

	mu  sync.Mutex
	ops *simplelru.LRU[*ast.OperationDefinition, *operation]
}

// DefaultMaxConcurrent is how many dashboards of one request resolve at
// once by default: with the five services each, at most 160 calls of one
// request are in flight.
const DefaultMaxConcurrent = 32

// planned is how many operations keep their plans: the executor's query
// cache holds 1000 documents.
const planned = 1000

// New returns the schema that serves es's operations through d where it
// can. maxConcurrent bounds the dashboards of one request resolved at once
// (zero: DefaultMaxConcurrent).
func New(es graphql.ExecutableSchema, d dashboard.Builder, maxConcurrent int) *Schema {
	ops, _ := simplelru.NewLRU[*ast.OperationDefinition, *operation](planned, nil)
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrent
	}
	return &Schema{ExecutableSchema: es, dashboards: d, maxConcurrent: maxConcurrent, ops: ops}
}

// operation is what is known of one validated operation: whether the fast
// path runs it, the conditions its plans depend on, and its plans.
type operation struct {
	ok    bool
	conds []*ast.Directive
	plans sync.Map // mask -> *plan
}

// Exec implements graphql.ExecutableSchema.
func (s *Schema) Exec(ctx context.Context) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	p := s.plan(opCtx)
	if p == nil {
		return s.ExecutableSchema.Exec(ctx)
	}
	if len(p.defers) > 0 {
		return s.stream(ctx, p)
	}
	done := false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		return &graphql.Response{Data: s.run(ctx, p)}
	}
}

// plan returns the plan of the operation for its variables, or nil when
// the fast path does not run it.
func (s *Schema) plan(opCtx *graphql.OperationContext) *plan {
	if opCtx == nil || opCtx.Operation == nil {
		return nil
	}
	s.mu.Lock()
	op, found := s.ops.Get(opCtx.Operation)
	if !found {
		op = &operation{}
		op.conds, op.ok = conditions(opCtx.Operation)
		op.ok = op.ok && len(op.conds) < 64 // the last bit: incremental
		s.ops.Add(opCtx.Operation, op)
	}
	s.mu.Unlock()
	if !op.ok {
		return nil
	}
	m := mask(op.conds, opCtx.Variables)
	incremental := s.incremental(opCtx)
	if incremental {
		m |= 1 << 63
	}
	if p, ok := op.plans.Load(m); ok {
		return p.(*plan)
	}
	p, _ := op.plans.LoadOrStore(m, compile(opCtx.Operation, opCtx.Variables, incremental))
	return p.(*plan)
}
