package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// selects reports whether the current field's selection reaches the field
// path below it (e.g. "items", "product"), through aliases, fragments and
// @skip/@include. Resolvers use it to start batch lookups early only for
// what the client asked for.
func selects(ctx context.Context, path ...string) bool {
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

// countSelected counts the fields called name directly in the current
// field's selection, through aliases, fragments and @skip/@include.
func countSelected(ctx context.Context, name string) int {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return 0
	}
	n := 0
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == name {
			n++
		}
	}
	return n
}
