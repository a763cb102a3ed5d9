// Package graphqlhttptest serves graphqlhttp.Handler over a scripted
// executor: every operation that validates against a schema is answered
// with the same responses, such as an incremental answer whose first
// response announces its parts (graphqlhttp.PendingExtension). It lets the
// tests of the handler, and of the clients that read its answers, see a
// format before any executor of the gateway writes it.
//
// It is test support only: nothing but tests may import it. It resolves
// nothing: the responses are given.
package graphqlhttptest

import (
	"context"
	"maps"
	"net/http"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// Script is a graphql.ExecutableSchema that answers every operation with
// its responses, in order, then nil.
type Script struct {
	schema    *ast.Schema
	responses []*graphql.Response
}

// New returns a Script of the schema in sdl (in the GraphQL schema
// language) answering with responses; it fails tb if sdl does not load.
func New(tb testing.TB, sdl string, responses ...*graphql.Response) *Script {
	tb.Helper()
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: sdl})
	if err != nil {
		tb.Fatalf("schema: %v", err)
	}
	return &Script{schema: schema, responses: responses}
}

// Handler returns graphqlhttp's handler over a Script of sdl answering
// with responses.
func Handler(tb testing.TB, sdl string, responses ...*graphql.Response) http.Handler {
	tb.Helper()
	return graphqlhttp.Handler{Exec: executor.New(New(tb, sdl, responses...))}
}

// Schema implements graphql.ExecutableSchema.
func (s *Script) Schema() *ast.Schema { return s.schema }

// Complexity implements graphql.ExecutableSchema: every field costs one
// plus its children.
func (s *Script) Complexity(_ context.Context, _, _ string, childComplexity int, _ map[string]any) (int, bool) {
	return 1 + childComplexity, true
}

// Exec implements graphql.ExecutableSchema. Each operation gets copies of
// the responses, with extensions of their own (whoever writes them may
// change them: the handler takes the announcement out), registered as
// well in the context each is asked for with, where gqlgen's executor
// takes a response's extensions from.
func (s *Script) Exec(context.Context) graphql.ResponseHandler {
	next := 0
	return func(ctx context.Context) *graphql.Response {
		if next == len(s.responses) {
			return nil
		}
		r := *s.responses[next]
		next++
		r.Extensions = maps.Clone(r.Extensions)
		for k, v := range r.Extensions {
			graphql.RegisterExtension(ctx, k, v)
		}
		return &r
	}
}
