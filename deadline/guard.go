package deadline

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// Guard is a gqlgen extension for requests whose deadline passed before
// execution began (a slow upload, a tiny X-Timeout-Ms): gqlgen then returns
// no response at all and its HTTP transports write the body "null". Guard
// answers with a DEADLINE_EXCEEDED error instead.
type Guard struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = Guard{}

// ExtensionName implements graphql.HandlerExtension.
func (Guard) ExtensionName() string { return "DeadlineGuard" }

// Validate implements graphql.HandlerExtension.
func (Guard) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (Guard) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	responses := next(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil && first && ctx.Err() != nil {
			resp = &graphql.Response{Errors: []*gqlerror.Error{apierror.DeadlineBeforeStart()}}
		}
		first = false
		return resp
	}
}
