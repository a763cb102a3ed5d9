package limits

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/acme/dashboard-gateway/apierror"
)

// Document is the gqlgen extension that measures a query before gqlgen
// parses and validates it, and refuses it with LIMIT_EXCEEDED when it
// breaks one of Limits: validation and execution then only ever see
// documents whose work is bounded. Add it after the extensions that choose
// the document (persisted queries), so it measures the text that runs.
//
// A document that does not parse is left to gqlgen, which reports the
// syntax error as ever; one whose fragments spread each other in a cycle is
// refused with the GRAPHQL_VALIDATION_FAILED error validation would give.
type Document struct {
	// Limits are the limits checked (zero fields: their defaults).
	Limits Limits
	// MaxQueryBytes bounds the query text; zero means DefaultMaxQueryBytes.
	MaxQueryBytes int
	// MaxTokens bounds the tokens the parser reads; zero means
	// DefaultMaxTokens.
	MaxTokens int
	// Known reports whether gqlgen has already validated query (its query
	// cache holds it): such a document was measured before and is not
	// measured again. Nil means every document is measured.
	Known func(ctx context.Context, query string) bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = Document{}

// ExtensionName implements graphql.HandlerExtension.
func (Document) ExtensionName() string { return "DocumentLimits" }

// Validate implements graphql.HandlerExtension.
func (Document) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator:
// it measures the query and refuses it when it breaks a limit.
func (d Document) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" || d.Known != nil && d.Known(ctx, p.Query) {
		return nil
	}
	_, err := d.check(ctx, p.Query)
	return err
}

// check parses and measures query.
func (d Document) check(ctx context.Context, query string) (measures, *gqlerror.Error) {
	maxBytes, maxTokens := cmp.Or(d.MaxQueryBytes, DefaultMaxQueryBytes), cmp.Or(d.MaxTokens, DefaultMaxTokens)
	if len(query) > maxBytes {
		return measures{}, toGQL(limit(ReasonQueryLength, "the query is %d bytes long; the limit is %d", len(query), maxBytes))
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, maxTokens)
	if err != nil {
		if e, ok := errors.AsType[*gqlerror.Error](err); ok && strings.HasPrefix(e.Message, "exceeded token limit") {
			return measures{}, toGQL(limit(ReasonTokens, "the query has more than %d tokens", maxTokens))
		}
		return measures{}, nil // gqlgen reports the syntax error
	}
	m, err := measure(ctx, doc, d.Limits.withDefaults())
	return m, toGQL(err)
}

// toGQL returns err as the *gqlerror.Error an extension returns: the ones
// this package makes are passed as they are, the others (limits, the
// context's) are wrapped for the error presenter.
func toGQL(err error) *gqlerror.Error {
	if err == nil {
		return nil
	}
	if gqlErr, ok := errors.AsType[*gqlerror.Error](err); ok {
		return gqlErr
	}
	if ctxErr := apierror.FromContext(err); ctxErr != nil {
		return ctxErr.GraphQL()
	}
	return gqlerror.WrapIfUnwrapped(err)
}

// operationName is how messages name op.
func operationName(op *ast.OperationDefinition) string {
	if op.Name == "" {
		return "the operation"
	}
	return fmt.Sprintf("operation %q", op.Name)
}
