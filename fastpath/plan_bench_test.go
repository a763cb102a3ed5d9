package fastpath

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/graph"
)

// joined joins n strings made by f with spaces.
func joined(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, " ")
}

// planDocuments are documents the limits let through, the costliest to
// plan among them.
func planDocuments() []struct{ name, query string } {
	// The body of the contract's dashboard: its selection of a Dashboard.
	q := contract.DashboardQuery
	body := q[strings.Index(q, "dashboard(userId: $id) {")+len("dashboard(userId: $id) ") : strings.LastIndex(q, "}")]
	return []struct{ name, query string }{
		{"full contract query", contract.DashboardQuery},
		// 10 aliased roots of the whole dashboard, each through the same
		// fragments: about 1,900 fields expanded (the limit is 2,000).
		{"ten full dashboards", "query($id: ID!) { " + joined(10, func(i int) string {
			return fmt.Sprintf("d%d: dashboard(userId: $id) { ...D }", i)
		}) + " } fragment D on Dashboard " + body},
		// Every field of a dashboard repeated under 10 deferred fragments,
		// in each of 9 aliased roots.
		{"deferred fragments", "query($ids: [ID!]!) { " + joined(9, func(i int) string {
			return fmt.Sprintf("r%d: dashboards(userIds: $ids) { userId ", i) + joined(10, func(j int) string {
				return fmt.Sprintf("...F%d @defer(label: \"r%d_%d\")", j, i, j)
			}) + " }"
		}) + " } " + joined(10, func(j int) string {
			return fmt.Sprintf("fragment F%d on Dashboard { wallet { loyaltyPoints } o%d: orders(first: %d) { id items { product { name } } } }", j, j, j+1)
		})},
		{"56 conditions", conditional(56)},
	}
}

// BenchmarkPlan measures planning an operation (analyze and compile, as
// for a new document), for a client taking incremental delivery.
func BenchmarkPlan(b *testing.B) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	types := schemaTypes()
	for _, d := range planDocuments() {
		b.Run(d.name, func(b *testing.B) {
			doc, errs := gqlparser.LoadQuery(schema, d.query)
			if errs != nil {
				b.Fatal(errs)
			}
			op := doc.Operations[0]
			vars := map[string]any{"id": "u1", "ids": []any{"u1"}}
			for i := range 56 {
				vars[fmt.Sprintf("v%d", i)] = i%3 == 0
			}
			var p *plan
			for b.Loop() {
				a := analyze(op, types)
				if a.reason != "" {
					b.Fatal(a.reason)
				}
				p = compile(context.Background(), types, op, vars, true)
			}
			b.ReportMetric(float64(p.size), "plan-bytes")
		})
	}
}
