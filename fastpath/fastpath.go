// Package fastpath executes the gateway's GraphQL operations without
// gqlgen's per-field machinery, which costs every field of every response a
// field context, a middleware call and a marshaler, and every element of a
// list of objects a goroutine: a full dashboard is ~700 fields.
//
// What derives from the schema is generated from it (schema_gen.go, written
// by the gqlgen plugin in fastpath/fastpathgen): which fields and arguments
// exist, how each field's value is had (a struct field, a method, or one of
// gqlgen's resolvers, called with the arguments coerced as gqlgen coerces
// them), and a JSON writer per type. What is generic is written here: an
// operation is planned once (its selections collected and merged, as
// GraphQL's CollectFields would for every object at run time; plan.go),
// every resolver field is resolved concurrently, at any depth, with the
// same resolvers gqlgen's executor calls (run.go), the response is written
// straight from the models with the specification's null propagation
// (write.go), and @defer streams one part per deferred fragment and object
// (defer.go).
//
// An operation the plan does not cover goes, whole, to the gqlgen executor
// the Schema wraps (introspection, a mutation, a directive other than
// @skip, @include and @defer, a field the generator could not write), with
// its deferred fragments delivered inline (WithoutDefer): the reason is
// told to Options.Fallback. Both executors answer every document alike
// (only the fast path defers: its parts, merged, make gqlgen's one answer);
// the differential test in package acceptance checks it over random
// documents.
package fastpath

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/graph"
)

// Options configure a Schema. The zero value is usable.
type Options struct {
	// MaxInFlight bounds the resolver calls of one operation running at
	// once; the others wait for a turn (until the deadline, after which
	// they run to fail at once). Zero means DefaultMaxInFlight.
	MaxInFlight int
	// PlanCacheBytes bounds the memory the kept plans take, as estimated
	// from their size and their document's (documents.Size); the least
	// recently used go first. The operations' analyses have a budget of
	// the same size. Zero means DefaultPlanCacheBytes.
	PlanCacheBytes int
	// Fallback, when set, hears each operation left to gqlgen's executor
	// and why (a Reason). It must be fast and safe for concurrent use.
	Fallback func(Reason)
}

// DefaultMaxInFlight is Options.MaxInFlight's default: 32 dashboards with
// their five service-backed fields each.
const DefaultMaxInFlight = 160

// DefaultPlanCacheBytes is Options.PlanCacheBytes' default.
const DefaultPlanCacheBytes = 8 << 20

// Reason says why an operation went to gqlgen's executor.
type Reason string

// The reasons an operation is not planned.
const (
	// ReasonNotQuery: a mutation or a subscription.
	ReasonNotQuery Reason = "not_query"
	// ReasonIntrospection: __schema or __type.
	ReasonIntrospection Reason = "introspection"
	// ReasonField: a field the generated code does not write.
	ReasonField Reason = "unknown_field"
	// ReasonArgument: an argument the generated code does not pass on
	// (generated code older than the schema).
	ReasonArgument Reason = "unknown_argument"
	// ReasonDirective: a directive other than @skip, @include and @defer.
	ReasonDirective Reason = "directive"
	// ReasonConditions: more variables in @skip, @include and @defer's
	// `if` than a plan's key holds (64).
	ReasonConditions Reason = "conditions"
)

// Reasons returns every Reason, for metrics that show each from the start.
func Reasons() []Reason {
	return []Reason{ReasonNotQuery, ReasonIntrospection, ReasonField, ReasonArgument, ReasonDirective, ReasonConditions}
}

// Schema is a graphql.ExecutableSchema that runs the operations it can
// plan itself, and hands the others to the schema it wraps.
type Schema struct {
	graphql.ExecutableSchema
	others      graphql.ExecutableSchema // es, without @defer: what runs the operations not planned
	resolvers   graph.ResolverRoot
	types       map[string]*objectType
	maxInFlight int
	fallback    func(Reason)
	plans       *planCache
	writers     sync.Pool // *writer, with its buffers
}

// New returns the schema that serves es's operations itself where it can,
// calling the resolvers of r, which must be the ones es calls.
func New(es graphql.ExecutableSchema, r graph.ResolverRoot, o Options) *Schema {
	s := &Schema{
		ExecutableSchema: es,
		others:           WithoutDefer(es),
		resolvers:        r,
		types:            schemaTypes(),
		maxInFlight:      o.MaxInFlight,
		fallback:         o.Fallback,
		plans:            newPlanCache(o.PlanCacheBytes),
	}
	if s.maxInFlight <= 0 {
		s.maxInFlight = DefaultMaxInFlight
	}
	return s
}

// Exec implements graphql.ExecutableSchema.
func (s *Schema) Exec(ctx context.Context) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	p, reason := s.plan(ctx, opCtx)
	if p == nil {
		if s.fallback != nil {
			s.fallback(reason)
		}
		return s.others.Exec(ctx)
	}
	x := s.newExecution(opCtx, p)
	if len(p.labels) > 0 {
		return x.stream(ctx)
	}
	done := false
	return func(rctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		x.resolve(rctx)
		return &graphql.Response{Data: x.writeInitial(rctx)}
	}
}

// plan returns the plan of the operation for its variables and client, or
// nil and why the fast path does not run it.
func (s *Schema) plan(ctx context.Context, opCtx *graphql.OperationContext) (*plan, Reason) {
	if opCtx == nil || opCtx.Operation == nil {
		return nil, ReasonNotQuery
	}
	a := s.plans.analysis(opCtx.Operation, opCtx.Doc, s.types)
	if a.reason != "" {
		return nil, a.reason
	}
	incremental := incremental(opCtx)
	key := planKey{op: opCtx.Operation, mask: a.mask(opCtx.Variables), incremental: incremental}
	if p := s.plans.get(key); p != nil {
		return p, ""
	}
	p := compile(ctx, s.types, opCtx.Operation, opCtx.Variables, incremental)
	s.plans.add(key, p, a)
	return p, ""
}
