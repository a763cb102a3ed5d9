package documents_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/limits"
)

// sizeShapes are documents that validate, each made distinct by i: a
// realistic one (ten dashboards) and hostile ones, each packing as much
// syntax tree into its text as one kind of node can.
var sizeShapes = map[string]func(i int) string{
	"realistic ten dashboards": func(i int) string {
		sel := contract.DashboardQuery[strings.Index(contract.DashboardQuery, "{\n    userId"):strings.LastIndex(contract.DashboardQuery, "}")]
		var b strings.Builder
		fmt.Fprintf(&b, "query Q%d {\n", i)
		for r := range 10 {
			fmt.Fprintf(&b, "  d%d: dashboard(userId: \"u%d\") %s\n", r, r+i, sel)
		}
		return b.String() + "}"
	},
	"one-digit list values": func(i int) string {
		return fmt.Sprintf("query Q%d { dashboards(userIds: [%s]) { userId } }", i, strings.Repeat("1 ", 4900))
	},
	"directives": func(i int) string {
		return fmt.Sprintf(`query Q%d { dashboard(userId: "u") { %s } }`, i, strings.Repeat("userId@skip(if:false) ", 200))
	},
	"comments": func(i int) string {
		return fmt.Sprintf("query Q%d { dashboard(userId: \"u\") {\n%suserId } }", i, strings.Repeat("#\n", 4900))
	},
	"fields": func(i int) string {
		return fmt.Sprintf(`query Q%d { dashboard(userId: "u") { %s} }`, i, strings.Repeat("userId ", 300))
	},
	"fragments": func(i int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "query Q%d { dashboard(userId: \"u\") { ...F0 } }\n", i)
		for k := range 20 {
			fmt.Fprintf(&b, "fragment F%d on Dashboard { userId %s", k, strings.Repeat("wallet{loyaltyPoints} ", 10))
			if k < 19 {
				fmt.Fprintf(&b, "...F%d ", k+1)
			}
			b.WriteString("}\n")
		}
		return b.String()
	},
	"variables with defaults": func(i int) string {
		var defs, uses strings.Builder
		for k := range 100 {
			fmt.Fprintf(&defs, "$v%d: [ID!]! = [1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8] ", k)
			fmt.Fprintf(&uses, "d%d: dashboards(userIds: $v%d) { userId } ", k, k)
		}
		return fmt.Sprintf("query Q%d(%s) { %s}", i, defs.String(), uses.String())
	},
	"inline fragments": func(i int) string {
		return fmt.Sprintf(`query Q%d { dashboard(userId: "u") { %s} }`, i, strings.Repeat("...on Dashboard{userId} ", 300))
	},
	"spreads": func(i int) string {
		return fmt.Sprintf(`query Q%d { dashboard(userId: "u") { %s} } fragment F on Dashboard { userId }`, i, strings.Repeat("...F ", 500))
	},
	"escaped and block strings": func(i int) string {
		return fmt.Sprintf(`query Q%d { dashboard(userId: "%s") { userId } d2: dashboard(userId: """%s""") { userId } }`,
			i, strings.Repeat(`\u0041`, 3000), strings.Repeat("  a\n", 1500))
	},
}

// Size covers what the heap keeps for a parsed and validated document,
// whatever kind of node fills it, and is not far above it: the caches
// bounded by it hold what their budgets say. The heap is measured over 20
// distinct documents of each shape, parsed and validated as gqlgen does,
// their text made afresh as a request's would be.
func TestSizeCoversTheHeap(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for name, shape := range sizeShapes {
		t.Run(name, func(t *testing.T) {
			const n = 20
			docs := make([]*ast.QueryDocument, 0, n)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := range n {
				query := strings.Clone(shape(i)) // its own bytes, no builder's spare capacity
				doc, err := parser.ParseQuery(&ast.Source{Input: query})
				if err != nil {
					t.Fatal(err)
				}
				if errs := validator.ValidateWithRules(schema, doc, limits.ValidationRules()); len(errs) > 0 {
					t.Fatal(errs)
				}
				docs = append(docs, doc)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			live := float64(after.HeapAlloc-before.HeapAlloc) / n
			est := float64(documents.Size(docs[0]))
			runtime.KeepAlive(docs)
			t.Logf("%d bytes of text: %.0f bytes live, estimated %.0f (%.2fx)", len(shape(0)), live, est, est/live)
			if est < live || est > 1.5*live {
				t.Errorf("Size %.0f for %.0f bytes live; want between 1 and 1.5 times", est, live)
			}
		})
	}
}

func TestSizeOfNothing(t *testing.T) {
	if got := documents.Size(nil); got != 0 {
		t.Errorf("Size(nil) = %d; want 0", got)
	}
}
