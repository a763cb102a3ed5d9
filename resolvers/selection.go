package resolvers

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/fastpath"
	"github.com/acme/dashboard-gateway/observability"
)

// selects reports whether the current field's selection reaches the field
// path below it (e.g. "items", "product"), through aliases, fragments and
// @skip/@include.
func selects(ctx context.Context, path ...string) bool {
	if sel, ok := fastpath.SelectionOf(ctx); ok {
		return sel.Selects(path...)
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	return selectsIn(graphql.GetOperationContext(ctx), fc.Field.Selections, path)
}

func selectsIn(op *graphql.OperationContext, set ast.SelectionSet, path []string) bool {
	for _, f := range graphql.CollectFields(op, set, nil) {
		if f.Name != path[0] {
			continue
		}
		if len(path) == 1 || selectsIn(op, f.Selections, path[1:]) {
			return true
		}
	}
	return false
}

// selection returns what the current field selects of each dashboard: its
// service-backed fields, once per response key.
func selection(ctx context.Context) dashboard.Selection {
	var sel dashboard.Selection
	if planned, ok := fastpath.SelectionOf(ctx); ok {
		for name := range planned.Fields {
			if slices.Contains(dashboard.Fields, name) {
				sel.Fields = append(sel.Fields, name)
			}
		}
		return sel
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return sel
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if slices.Contains(dashboard.Fields, f.Name) {
			sel.Fields = append(sel.Fields, f.Name)
		}
	}
	return sel
}

// watch starts watching the current Dashboard field (a span, a timing)
// while it resolves.
func watch(ctx context.Context) (context.Context, func(error)) {
	fc := graphql.GetFieldContext(ctx)
	return observability.Field(ctx, fc.Object+"."+fc.Field.Name, fc)
}

// watchBatch is watch for a batch resolver, which resolves the field of
// every object of a list at once: it is called in the context of one of
// them (the first, or any: whichever gets there first), and the field is
// known by the list's path, without the index (dashboard.orders.shipment).
func watchBatch(ctx context.Context) (context.Context, func(error)) {
	fc := graphql.GetFieldContext(ctx)
	return observability.Field(ctx, fc.Object+"."+fc.Field.Name, listPath{fc})
}

// listPath is the path of a field of the elements of a list.
type listPath struct{ fc *graphql.FieldContext }

func (l listPath) Path() ast.Path {
	path := l.fc.Path()
	if n := len(path); n >= 2 {
		if _, ok := path[n-2].(ast.PathIndex); ok {
			return append(path[:n-2:n-2], path[n-1])
		}
	}
	return path
}
