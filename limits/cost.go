package limits

import (
	"cmp"
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/contract"
)

// The cost model. Every field costs 1 plus what it selects; list fields
// multiply what they select by how many elements they may return: `first`,
// the number of userIds, ItemsPerOrder. The cost of an operation thus grows
// with the downstream work it can cause. (It is the model gqlgen's
// complexity limit computed before, without its walk re-entering every
// fragment at every spread.)
const (
	// DefaultFirst is `first` when a client passes null or nothing; the
	// resolvers apply it too.
	DefaultFirst = contract.DefaultFirst
	// ItemsPerOrder is what the cost of an order's items assumes: the
	// contract does not bound them, so the cost of `items` counts this many.
	ItemsPerOrder = 4
)

// Operation is the gqlgen extension that checks the operation to run once
// its variables are known: the contract's arguments of every field (each
// field as written once, however often its fragment is spread), then its
// cost against MaxCost. Add it after Document, which bounds the work.
type Operation struct {
	// MaxCost bounds the operation's cost; zero means DefaultMaxCost.
	MaxCost int
	// Schema is the schema introspection describes, whose answers' fields
	// are counted (IntrospectionWeight). Nil: introspection fields count
	// as written.
	Schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Operation{}

// ExtensionName implements graphql.HandlerExtension.
func (Operation) ExtensionName() string { return "OperationLimits" }

// Validate implements graphql.HandlerExtension.
func (Operation) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: it
// refuses the operation when an argument breaks the contract or it costs
// too much.
func (o Operation) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	maxCost := cmp.Or(o.MaxCost, DefaultMaxCost)
	c := coster{ctx: ctx, vars: opCtx.Variables, frags: map[*ast.FragmentDefinition]int64{},
		schema: o.Schema, introLeft: int64(maxCost) / IntrospectionWeight}
	cost, err := c.set(opCtx.Operation.SelectionSet)
	switch {
	case err != nil:
	case cost >= maxCount: // counted no further
		err = limit(ReasonCost, "the operation costs more than the limit of %d", maxCost)
	case cost > int64(maxCost):
		err = limit(ReasonCost, "the operation costs %d; the limit is %d", cost, maxCost)
	}
	return toGQL(err)
}

// Cost returns the cost of a validated operation with its variables, and
// checks the contract's arguments of every field it reaches on the way: the
// first argument error is returned. Each fragment is costed once (its cost
// does not depend on where it is spread, only on the variables), so the
// work is linear in the document. Like gqlgen's complexity, it counts
// fields under @skip or @include too (an upper bound). Introspection
// counts IntrospectionWeight per field written (Operation, which knows the
// schema, counts the fields of its answer).
func Cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) (int64, error) {
	c := coster{ctx: ctx, vars: vars, frags: map[*ast.FragmentDefinition]int64{}}
	return c.set(op.SelectionSet)
}

type coster struct {
	ctx   context.Context
	vars  map[string]any
	frags map[*ast.FragmentDefinition]int64
	work  int
	// schema, when set, is what introspection answers from; introLeft the
	// introspection fields counted before the cost is past any limit.
	schema    *ast.Schema
	introLeft int64
}

func (c *coster) set(set ast.SelectionSet) (int64, error) {
	var cost int64
	for _, sel := range set {
		c.work++
		if c.work%ctxEvery == 0 {
			if err := c.ctx.Err(); err != nil {
				return 0, err
			}
		}
		var n int64
		var err error
		switch sel := sel.(type) {
		case *ast.Field:
			n, err = c.field(sel)
		case *ast.InlineFragment:
			n, err = c.set(sel.SelectionSet)
		case *ast.FragmentSpread:
			n, err = c.fragment(sel.Definition)
		}
		if err != nil {
			return 0, err
		}
		cost = sat(cost, n)
	}
	return cost, nil
}

func (c *coster) fragment(def *ast.FragmentDefinition) (int64, error) {
	if def == nil {
		return 0, nil
	}
	if n, ok := c.frags[def]; ok {
		return n, nil
	}
	c.frags[def] = 0 // validation refused cycles; this only ends one
	n, err := c.set(def.SelectionSet)
	c.frags[def] = n
	return n, err
}

func (c *coster) field(f *ast.Field) (int64, error) {
	if err := checkArguments(f, c.vars); err != nil {
		return 0, err
	}
	if f.Definition != nil && f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Query" &&
		(f.Name == "__schema" || f.Name == "__type") {
		return c.introspection(f), nil
	}
	child, err := c.set(f.SelectionSet)
	if err != nil || f.Definition == nil || f.ObjectDefinition == nil {
		return 0, err
	}
	if per, ok := elements(f, c.vars); ok {
		return sat(1, satMul(per, child)), nil
	}
	return sat(1, child), nil
}

// elements returns how many elements a list field of the contract may
// return, as the cost counts them; ok is false for other fields.
func elements(f *ast.Field, vars map[string]any) (n int64, ok bool) {
	switch f.ObjectDefinition.Name + "." + f.Name {
	case "Query.dashboards":
		switch ids := argument(f, "userIds", vars).(type) {
		case nil:
			return 0, true
		case []any:
			return int64(len(ids)), true
		default:
			return 1, true // one id, coerced to a list of one
		}
	case "Dashboard.orders", "Dashboard.recommendations", "Dashboard.notifications":
		return firstCount(argument(f, "first", vars))
	case "Order.items":
		return ItemsPerOrder, true
	}
	return 0, false
}

// firstCount returns `first` as the cost counts it, read as the resolvers
// read it: DefaultFirst for null; not ok (no multiplier) for a value no
// resolver would take.
func firstCount(v any) (int64, bool) {
	if v == nil {
		return DefaultFirst, true
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return int64(n), true
}
