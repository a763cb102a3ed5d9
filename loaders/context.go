package loaders

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

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
// every way into the executor gets them.
type Extension struct {
	Clients *downstream.Clients
	Wait    time.Duration // batch wait; zero means DefaultWait
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
	return next(NewContext(ctx, New(ctx, e.Clients, e.Wait)))
}
