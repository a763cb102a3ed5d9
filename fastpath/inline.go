package fastpath

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// WithoutDefer returns es running every operation as if it had no @defer:
// each deferred fragment is delivered with its parent, in one response, as
// the incremental delivery RFC lets a server choose. gqlgen's executor
// streams deferred fragments its own way (deferred fields null in the first
// response, fragments of plain fields not deferred, a @defer inside a
// deferred fragment waiting for the deadline), so the gateway lets only
// the fast path defer; New wraps its fallback with it, and gqlgen-only mode
// should too.
func WithoutDefer(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	return inline{es}
}

type inline struct{ graphql.ExecutableSchema }

// Exec implements graphql.ExecutableSchema.
func (s inline) Exec(ctx context.Context) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx != nil && opCtx.Operation != nil && opCtx.Doc != nil && defers(opCtx.Doc) {
		// The operation context is the request's own; the document is
		// shared (gqlgen's query cache): it is copied, not changed.
		opCtx.Doc, opCtx.Operation = withoutDefer(opCtx.Doc, opCtx.Operation)
	}
	return s.ExecutableSchema.Exec(ctx)
}

// defers reports whether doc has a @defer anywhere.
func defers(doc *ast.QueryDocument) bool {
	var in func(ast.SelectionSet) bool
	in = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if in(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if s.Directives.ForName("defer") != nil || in(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if s.Directives.ForName("defer") != nil {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if in(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if in(f.SelectionSet) {
			return true
		}
	}
	return false
}

// withoutDefer returns a copy of doc without any @defer, and the copy of
// op in it. What is not copied (names, arguments, definitions) is shared.
func withoutDefer(doc *ast.QueryDocument, op *ast.OperationDefinition) (*ast.QueryDocument, *ast.OperationDefinition) {
	out := &ast.QueryDocument{Position: doc.Position, Comment: doc.Comment}
	var opCopy *ast.OperationDefinition
	for _, o := range doc.Operations {
		c := *o
		c.SelectionSet = stripDefer(o.SelectionSet)
		out.Operations = append(out.Operations, &c)
		if o == op {
			opCopy = &c
		}
	}
	for _, f := range doc.Fragments {
		c := *f
		c.SelectionSet = stripDefer(f.SelectionSet)
		out.Fragments = append(out.Fragments, &c)
	}
	return out, opCopy
}

// stripDefer copies set, dropping every @defer.
func stripDefer(set ast.SelectionSet) ast.SelectionSet {
	if set == nil {
		return nil
	}
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			c := *s
			c.SelectionSet = stripDefer(s.SelectionSet)
			out[i] = &c
		case *ast.InlineFragment:
			c := *s
			c.Directives = withoutDirective(s.Directives, "defer")
			c.SelectionSet = stripDefer(s.SelectionSet)
			out[i] = &c
		case *ast.FragmentSpread:
			c := *s
			c.Directives = withoutDirective(s.Directives, "defer")
			out[i] = &c
		default:
			out[i] = sel
		}
	}
	return out
}

func withoutDirective(ds ast.DirectiveList, name string) ast.DirectiveList {
	if ds.ForName(name) == nil {
		return ds
	}
	out := make(ast.DirectiveList, 0, len(ds)-1)
	for _, d := range ds {
		if d.Name != name {
			out = append(out, d)
		}
	}
	return out
}
