package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/resolvers"
)

// benchDocuments are the documents of BenchmarkHostileDocuments: normal
// ones, the hostile ones, and the costliest that pass every limit.
func benchDocuments() []hostile {
	docs := []hostile{
		{name: "normal/full contract query", query: fullQuery, vars: map[string]any{"id": "u1"}},
		{name: "normal/ten dashboards through fragments", query: tenDashboards, vars: tenDashboardsVars()},
	}
	for _, h := range hostileDocuments() {
		h.name = "hostile/" + h.name
		docs = append(docs, h)
	}
	return append(docs,
		hostile{name: "within limits/unknown fields", query: `{ dashboard(userId: "u1") { ` + joined(1990, func(i int) string { return fmt.Sprintf("userIx%d", i) }) + " } }", code: "GRAPHQL_VALIDATION_FAILED"},
		hostile{name: "within limits/unknown fields in fragments", query: `{ dashboard(userId: "u1") { ` + joined(48, func(i int) string { return fmt.Sprintf("...F%d", i) }) + " } } " +
			joined(48, func(i int) string {
				return fmt.Sprintf("fragment F%d on Dashboard { %s }", i, joined(20, func(j int) string { return fmt.Sprintf("x%d_%d", i, j) }))
			}), code: "GRAPHQL_VALIDATION_FAILED"},
		hostile{name: "within limits/repeated fields", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("userId ", 63) + "} }"},
	)
}

// BenchmarkHostileDocuments measures what a document costs before anything
// runs: gqlgen's CreateOperationContext on the real schema with the
// gateway's extensions (measuring, parsing, validation, variables,
// arguments and cost), each time on a new executor, so its query cache
// never helps. See BENCHMARKS.md.
func BenchmarkHostileDocuments(b *testing.B) {
	opts := gateway.Options{
		Schema:        graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(resolvers.Options{})}),
		Introspection: true, // the costlier setting: validation suggests field names
		MaxQueryBytes: gateway.DefaultMaxQueryBytes,
		MaxTokens:     gateway.DefaultMaxTokens,
		MaxCost:       gateway.DefaultMaxCost,
		APQCacheSize:  gateway.DefaultAPQCacheSize,
	}
	for _, d := range benchDocuments() {
		b.Run(d.name, func(b *testing.B) {
			params := func() *graphql.RawParams { return &graphql.RawParams{Query: d.query, Variables: d.vars} }
			_, errs := gateway.NewExecutor(opts).CreateOperationContext(graphql.StartOperationTrace(context.Background()), params())
			if refused := len(errs) > 0; refused != (d.code != "") {
				b.Fatalf("errors %.300v; want code %q", errs, d.code)
			}
			b.ReportMetric(float64(len(d.query)), "bytes")
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				exec := gateway.NewExecutor(opts)
				b.StartTimer()
				exec.CreateOperationContext(graphql.StartOperationTrace(context.Background()), params())
			}
		})
	}
}
