// Package limits rejects GraphQL operations that would cost the gateway or
// its services too much, before any of it runs: too deep, too many aliases
// or root fields, too many fields in all, and arguments outside the
// contract (id format, at most 50 userIds, first in 0..50). It is a gqlgen
// extension that inspects the validated operation once, fragments expanded.
//
// The cost limit is gqlgen's complexity limit, with the cost of each field
// given by the resolvers package; the body and query length limits are the
// HTTP layer's.
package limits

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// Defaults of Limits.
const (
	DefaultMaxDepth      = 10
	DefaultMaxAliases    = 20
	DefaultMaxRootFields = 10
	DefaultMaxFields     = 2000
)

// Limits are the shape limits of an operation. Zero fields take their
// defaults. Introspection fields (__schema, __type, __typename) are not
// counted: introspection is bounded by the schema and can be turned off.
type Limits struct {
	// MaxDepth bounds how deeply selections nest (dashboard > orders >
	// items > product > price is 5). Default 10.
	MaxDepth int
	// MaxAliases bounds fields requested under a name of the client's
	// choosing. Default 20.
	MaxAliases int
	// MaxRootFields bounds the top-level fields. Default 10.
	MaxRootFields int
	// MaxFields bounds the fields of the operation with every fragment
	// expanded, against documents that are small but expand hugely.
	// Default 2000.
	MaxFields int
}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxAliases <= 0 {
		l.MaxAliases = DefaultMaxAliases
	}
	if l.MaxRootFields <= 0 {
		l.MaxRootFields = DefaultMaxRootFields
	}
	if l.MaxFields <= 0 {
		l.MaxFields = DefaultMaxFields
	}
	return l
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (Limits) ExtensionName() string { return "Limits" }

// Validate implements graphql.HandlerExtension.
func (Limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator: it
// rejects the operation when it breaks a limit.
func (l Limits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	w := walker{limits: l.withDefaults(), vars: opCtx.Variables}
	if err := w.walk(opCtx.Operation.SelectionSet, 1, true); err != nil {
		return gqlerror.WrapIfUnwrapped(err)
	}
	return nil
}

// walker counts an operation's shape and checks its arguments as it goes.
type walker struct {
	limits                 Limits
	vars                   map[string]any
	fields, aliases, roots int
}

func (w *walker) walk(set ast.SelectionSet, depth int, root bool) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			if err := w.field(s, depth, root); err != nil {
				return err
			}
			if err := w.walk(s.SelectionSet, depth+1, false); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.walk(s.SelectionSet, depth, root); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if s.Definition != nil {
				if err := w.walk(s.Definition.SelectionSet, depth, root); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *walker) field(f *ast.Field, depth int, root bool) error {
	w.fields++
	if root {
		w.roots++
	}
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	l := w.limits
	switch {
	case depth > l.MaxDepth:
		return limit("depth", "the operation nests deeper than %d levels", l.MaxDepth)
	case w.aliases > l.MaxAliases:
		return limit("aliases", "the operation uses more than %d aliases", l.MaxAliases)
	case w.roots > l.MaxRootFields:
		return limit("root_fields", "the operation asks for more than %d top-level fields", l.MaxRootFields)
	case w.fields > l.MaxFields:
		return limit("fields", "the operation asks for more than %d fields in all, fragments expanded", l.MaxFields)
	}
	return checkArguments(f, w.vars)
}

func limit(name, format string, args ...any) error {
	return &apierror.LimitError{Limit: name, Message: fmt.Sprintf(format, args...)}
}
