package loaders

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/downstream"
)

type ctxKey struct{}

// ready waits for done to close, and reports whether it did before ctx
// ended. An answer already in when ctx ends is taken: a select on both
// would pick at random when both are ready.
func ready(ctx context.Context, done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
	}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the operation's loaders, and false when ctx has none
// (loaders.Extension is not registered: a wiring bug).
func FromContext(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	return l, ok
}

// Extension is a gqlgen extension that gives each operation fresh loaders,
// created under the operation's context (after the deadline middleware), so
// every way into the executor gets them, and tells them how many root
// fields the operation selects (see Loaders.Expect).
type Extension struct {
	Clients *downstream.Clients
	Wait    time.Duration // batch wait; zero means DefaultWait
	Joins   *Joins        // shared by every operation; nil holds every expected list for the others
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "Loaders" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (e Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	l := New(ctx, e.Clients, e.Wait, e.Joins)
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			l.SetRootFields(rootFields(op.SelectionSet))
		}
	}
	return next(NewContext(ctx, l))
}

// rootFields counts the fields of an operation's root selection set,
// fragments' included and __typename not, up to 2: any more is 2, and so
// is a set it would have to look at more than 64 selections of to count
// (or with a fragment spread the validator did not resolve). Over-counting
// costs only the batch wait.
func rootFields(set ast.SelectionSet) int {
	n, seen := 0, 0
	var count func(ast.SelectionSet) bool // false: stop, the answer is 2
	count = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			if seen++; seen > 64 || n > 1 {
				return false
			}
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.Name != "__typename" {
					n++
				}
			case *ast.InlineFragment:
				if !count(sel.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if sel.Definition == nil || !count(sel.Definition.SelectionSet) {
					return false
				}
			}
		}
		return n <= 1
	}
	if !count(set) {
		return 2
	}
	return n
}
