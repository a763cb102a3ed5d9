package gateway

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// noIntrospection refuses, as a validation error, an operation that asks
// for __schema or __type while introspection is off: the client's request
// is what is wrong, so it gets a request error, not a field failure.
// __typename stays allowed (clients add it everywhere).
type noIntrospection struct{}

var _ graphql.OperationContextMutator = noIntrospection{}

// ExtensionName implements graphql.HandlerExtension.
func (noIntrospection) ExtensionName() string { return "NoIntrospection" }

// Validate implements graphql.HandlerExtension.
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (noIntrospection) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if f := introspectionField(opCtx.Operation.SelectionSet, map[string]bool{}); f != nil {
		err := gqlerror.ErrorPosf(f.Position, "introspection is disabled on this server")
		err.Extensions = map[string]any{"code": string(apierror.ValidationFailed)}
		return err
	}
	return nil
}

// introspectionField returns the first __schema or __type field of a root
// selection set (the only place they exist), looking through fragments once
// each.
func introspectionField(set ast.SelectionSet, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
		case *ast.InlineFragment:
			if f := introspectionField(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := introspectionField(s.Definition.SelectionSet, seen); f != nil {
				return f
			}
		}
	}
	return nil
}
