// Package coercion enforces the GraphQL specification's rules for null
// values that gqlgen's executor lets through: gqlgen coerces an explicit
// null given to a non-null argument into a value ("null" for an ID, an
// empty list for a list) and panics on a null `if` of @skip or @include.
// Both executors of the gateway (package fastpath and gqlgen's) apply the
// same rules through this package, so they answer the same:
//
//   - A null `if` of @skip or @include (a nullable variable with a default,
//     set to null) is a request error: the operation does not run.
//   - An argument whose value is null where its type is non-null, or a list
//     argument with a null element where its elements are non-null, is the
//     field's error (BAD_USER_INPUT), as the specification's
//     CoerceArgumentValues raises it; the field is null and its resolver is
//     not called.
//
// It does not coerce values (gqlgen does) nor check the contract's own
// argument rules (package limits does).
package coercion

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// Arguments returns the error of field f when one of its arguments, with
// vars (the operation's coerced variables) applied, is null where the
// argument's type does not allow it; nil otherwise. The error is a
// BAD_USER_INPUT *apierror.Error for the field.
func Arguments(f *ast.Field, vars map[string]any) error {
	if f.Definition == nil {
		return nil
	}
	for _, def := range f.Definition.Arguments {
		if !hasNonNull(def.Type) {
			continue
		}
		arg := f.Arguments.ForName(def.Name)
		if arg == nil {
			continue // the default applies (validation required a value otherwise)
		}
		var v any
		if arg.Value.Kind == ast.Variable {
			var set bool
			if v, set = vars[arg.Value.Raw]; !set {
				continue // unset: the argument's default applies
			}
		} else {
			var err error
			if v, err = arg.Value.Value(vars); err != nil {
				continue // validation checked literals; gqlgen reports the rest
			}
		}
		if problem := nullIn(def.Type, v); problem != "" {
			return apierror.BadInput("argument %q of type %q %s", def.Name, def.Type.String(), problem)
		}
	}
	return nil
}

// hasNonNull reports whether t or a type it wraps is non-null.
func hasNonNull(t *ast.Type) bool {
	for ; t != nil; t = t.Elem {
		if t.NonNull {
			return true
		}
	}
	return false
}

// nullIn says what is wrong with v as a value of t, or "": a null where t
// is non-null, or, for a list, in an element where its elements are. A
// single value where a list is expected is a list of one.
func nullIn(t *ast.Type, v any) string {
	if v == nil {
		if t.NonNull {
			return "must not be null"
		}
		return ""
	}
	if t.Elem == nil {
		return ""
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, e := range list {
		if problem := nullIn(t.Elem, e); problem != "" {
			if e == nil {
				return "must not contain null"
			}
			return problem
		}
	}
	return ""
}

// Conditions returns a BAD_USER_INPUT request error when a @skip or
// @include of op, or of a fragment it spreads, takes its `if` from a
// variable whose value in vars is null; nil otherwise.
func Conditions(op *ast.OperationDefinition, vars map[string]any) error {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) error
	check := func(ds ast.DirectiveList) error {
		for _, d := range ds {
			if d.Name != "skip" && d.Name != "include" {
				continue
			}
			arg := d.Arguments.ForName("if")
			if arg == nil || arg.Value.Kind != ast.Variable {
				continue
			}
			if v, set := vars[arg.Value.Raw]; set && v == nil {
				return apierror.BadInput("argument \"if\" of @%s must not be null: variable $%s is null", d.Name, arg.Value.Raw)
			}
		}
		return nil
	}
	walk = func(set ast.SelectionSet) error {
		for _, sel := range set {
			var err error
			switch s := sel.(type) {
			case *ast.Field:
				if err = check(s.Directives); err == nil {
					err = walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				if err = check(s.Directives); err == nil {
					err = walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				err = check(s.Directives)
				if err == nil && s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					err = walk(s.Definition.SelectionSet)
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk(op.SelectionSet)
}

// Extension is the gqlgen extension that applies both rules on gqlgen's
// executor: Conditions before the operation runs, Arguments before each
// field's resolver. (Package fastpath applies them itself.)
type Extension struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.FieldInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "Coercion" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: a null
// `if` refuses the operation.
func (Extension) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if err := Conditions(opCtx.Operation, opCtx.Variables); err != nil {
		e, _ := err.(*apierror.Error)
		return e.GraphQL()
	}
	return nil
}

// InterceptField implements graphql.FieldInterceptor: a null where an
// argument's type forbids it is the field's error, before its resolver.
func (Extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil && len(fc.Field.Arguments) > 0 {
		if err := Arguments(fc.Field.Field, graphql.GetOperationContext(ctx).Variables); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}
