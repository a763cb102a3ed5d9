package limits

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/graph"
)

// fullQuery selects every field of the contract.
const fullQuery = `{ dashboard(userId: "u1") {
	userId
	profile { id name email avatarUrl tier memberSince }
	orders { id status placedAt total { amountMinor currency formatted }
		items { quantity unitPrice { amountMinor currency formatted } product { id name price { amountMinor currency formatted } imageUrl inStock } } }
	recommendations { score reason product { id name price { amountMinor currency formatted } imageUrl inStock } }
	notifications { unreadCount items { id kind title createdAt read } }
	wallet { balance { amountMinor currency formatted } loyaltyPoints }
} }`

// validated parses and validates query against the schema.
func validated(tb testing.TB, query string) *ast.QueryDocument {
	tb.Helper()
	doc, err := gqlparser.LoadQuery(graph.NewExecutableSchema(graph.Config{}).Schema(), query)
	if err != nil {
		tb.Fatalf("%.80s: %v", query, err)
	}
	return doc
}

func costOf(tb testing.TB, query string, vars map[string]any) int64 {
	tb.Helper()
	n, err := Cost(context.Background(), validated(tb, query).Operations[0], vars)
	if err != nil {
		tb.Fatalf("%.80s: %v", query, err)
	}
	return n
}

func TestCost(t *testing.T) {
	ids := map[string]any{"ids": []any{"u1", "u2", "u3"}}
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int64
	}{
		{"one field", `{ dashboard(userId: "u1") { userId } }`, nil, 2},
		{"profile", `{ dashboard(userId: "u1") { profile { name } } }`, nil, 3},
		{"__typename costs 1", `{ __typename dashboard(userId: "u1") { __typename } }`, nil, 1 + 2},
		{"orders multiply by first", `{ dashboard(userId: "u1") { orders(first: 3) { id } } }`, nil, 1 + 1 + 3*1},
		{"first defaults to 10", `{ dashboard(userId: "u1") { orders { id } } }`, nil, 1 + 1 + 10},
		{"first from a variable", `query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, map[string]any{"n": int64(5)}, 1 + 1 + 5},
		{"first null is 10", `query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, map[string]any{"n": nil}, 1 + 1 + 10},
		{"items count 4", `{ dashboard(userId: "u1") { orders(first: 1) { items { quantity } } } }`, nil, 1 + 1 + 1*(1+4*1)},
		{"dashboards multiply by ids", `{ dashboards(userIds: ["u1", "u2"]) { profile { name } } }`, nil, 1 + 2*(1+1)},
		{"ids from a variable", `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId } }`, ids, 1 + 3},
		{"one id for a list", `{ dashboards(userIds: "u1") { userId } }`, nil, 1 + 1},
		{"fragments cost what they select", `{ dashboard(userId: "u1") { ...D } } fragment D on Dashboard { orders(first: 2) { id } }`, nil, 1 + 1 + 2},
		{"inline fragments too", `{ dashboard(userId: "u1") { ... { wallet { loyaltyPoints } } } }`, nil, 1 + 2},
		{"skipped fields count", `{ dashboard(userId: "u1") { userId @skip(if: true) } }`, nil, 2},
		{"introspection counts its fields, weighted", `{ __schema { types { name } } }`, nil, 1 + IntrospectionWeight*2},
		{"the full contract query", fullQuery, nil, 838},
	}
	for _, tt := range tests {
		if got := costOf(t, tt.query, tt.vars); got != tt.want {
			t.Errorf("%s: cost %d; want %d", tt.name, got, tt.want)
		}
	}
}

// oldComplexity is the cost model as gqlgen's complexity limit computed it
// before (resolvers.Complexity), kept here to show Cost gives the same.
func oldComplexity() graph.ComplexityRoot {
	first := func(p *int) int {
		if p == nil {
			return DefaultFirst
		}
		return *p
	}
	var c graph.ComplexityRoot
	c.Query.Dashboards = func(child int, userIDs []string) int { return 1 + len(userIDs)*child }
	c.Dashboard.Orders = func(child int, n *int) int { return 1 + first(n)*child }
	c.Dashboard.Recommendations = func(child int, n *int) int { return 1 + first(n)*child }
	c.Dashboard.Notifications = func(child int, n *int, _ *bool) int { return 1 + first(n)*child }
	c.Order.Items = func(child int) int { return 1 + ItemsPerOrder*child }
	return c
}

// Cost agrees with gqlgen's complexity on documents its walk can finish,
// introspection aside (it costs its answer, IntrospectionWeight a field).
func TestCostIsGqlgensComplexity(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Complexity: oldComplexity()})
	vars := map[string]any{"n": int64(7), "ids": []any{"u1", "u2"}, "no": nil}
	queries := []string{
		fullQuery,
		`query($n: Int, $ids: [ID!]!) { dashboards(userIds: $ids) { orders(first: $n) { items { product { name } } } recommendations { score } } }`,
		`query($no: Int) { dashboard(userId: "u1") { notifications(first: $no, unreadOnly: true) { unreadCount items { id } } } }`,
		`{ a: dashboard(userId: "u1") { ...D } b: dashboard(userId: "u2") { ...D ...D } } fragment D on Dashboard { orders(first: 3) { ...O } } fragment O on Order { id items { quantity } }`,
		`{ __typename dashboard(userId: "u1") { __typename wallet { __typename } } }`,
		`{ dashboard(userId: "u1") { ... on Dashboard { recommendations(first: 50) { product { price { formatted } } } } } }`,
	}
	for _, q := range queries {
		doc := validated(t, q)
		want := complexity.Calculate(context.Background(), es, doc.Operations[0], vars)
		if got := costOf(t, q, vars); got != int64(want) {
			t.Errorf("%.70s: cost %d; gqlgen's complexity %d", q, got, want)
		}
	}
}

// doubling is a document whose fragment Fn spreads Fn-1 twice: it expands
// to 2^(n+1)-1 fields but has n+1 fragments.
func doubling(n int, on, field string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fragment F0 on %s { %s }\n", on, field)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on %s { ...F%d ...F%d %s }\n", i, on, i-1, i-1, field)
	}
	return b.String()
}

// A fragment's cost is computed once: a document that expands to 2^31
// fields costs its true (saturated) cost at once, visiting each selection
// as written once.
func TestCostMemoizesFragments(t *testing.T) {
	doc := validated(t, `{ dashboard(userId: "u1") { ...F30 } }`+doubling(30, "Dashboard", "userId"))
	c := coster{ctx: context.Background(), frags: map[*ast.FragmentDefinition]int64{}}
	got, err := c.set(doc.Operations[0].SelectionSet)
	if want := int64(1 + 1<<31 - 1); err != nil || got != want {
		t.Errorf("cost %d, %v; want %d", got, err, want)
	}
	if c.work > 3*31+2 {
		t.Errorf("visited %d selections; want each of the %d written once", c.work, 3*31+2)
	}
}

func TestCostChecksArguments(t *testing.T) {
	for _, q := range []string{
		`{ dashboard(userId: "../x") { userId } }`,
		`{ dashboard(userId: "u1") { ...D } } fragment D on Dashboard { orders(first: 51) { id } }`,
		`query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`,
	} {
		_, err := Cost(context.Background(), validated(t, q).Operations[0], map[string]any{"n": int64(-1)})
		if e, ok := errors.AsType[*apierror.Error](err); !ok || e.Code != apierror.BadUserInput {
			t.Errorf("%.70s: %v; want an input error", q, err)
		}
	}
}

// TestArgumentIsArgumentMaps: argument reads each argument of every field
// as ast.Field.ArgumentMap does: written, from a variable sent or not, and
// from the definition's default.
func TestArgumentIsArgumentMaps(t *testing.T) {
	query := `query Q($id: ID!, $ids: [ID!]!, $n: Int, $m: Int = 3, $t: String!) {
		a: dashboard(userId: "u1") { orders { id } recommendations(first: 2) { score } notifications(first: $n) { unreadCount } }
		b: dashboard(userId: $id) { orders(first: $m) { id } recommendations(first: null) { score } notifications { unreadCount } }
		dashboards(userIds: $ids) { userId orders(first: $n) { id } }
		c: dashboards(userIds: ["u1", $id]) { userId }
		__type(name: $t) { name fields(includeDeprecated: true) { name } }
	}`
	doc := validated(t, query)
	for _, vars := range []map[string]any{
		{},
		{"id": "u2", "ids": []any{"u3"}, "n": int64(7), "m": nil, "t": "Order"},
		{"id": "u2", "ids": "u3", "n": nil, "t": "Nope"},
	} {
		var walk func(ast.SelectionSet)
		walk = func(set ast.SelectionSet) {
			for _, sel := range set {
				f, ok := sel.(*ast.Field)
				if !ok || f.Definition == nil {
					continue
				}
				want := f.ArgumentMap(vars)
				for _, def := range f.Definition.Arguments {
					if got := argument(f, def.Name, vars); !reflect.DeepEqual(got, want[def.Name]) {
						t.Errorf("vars %v: %s(%s) = %#v; ArgumentMap has %#v", vars, f.Alias, def.Name, got, want[def.Name])
					}
				}
				if got := argument(f, "noSuchArgument", vars); got != nil {
					t.Errorf("%s(noSuchArgument) = %#v; want nil", f.Alias, got)
				}
				walk(f.SelectionSet)
			}
		}
		walk(doc.Operations[0].SelectionSet)
	}
}
