package fastpath

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/graph"
)

// conditional is an operation with 56 conditions: a plan per outcome of
// them could be 2^56 plans.
func conditional(n int) string {
	var vars, fields []string
	for i := range n {
		vars = append(vars, fmt.Sprintf("$v%d: Boolean!", i))
		fields = append(fields, fmt.Sprintf("a%d: userId @include(if: $v%d)", i, i))
	}
	return "query(" + strings.Join(vars, ", ") + `) { dashboard(userId: "u1") { ` + strings.Join(fields, " ") + " } }"
}

// The plans kept stay within their byte budget whatever the variety of the
// conditions' outcomes: one client sending an operation with 56 random
// Boolean variables 3,000 times keeps at most the budget's worth.
func TestPlanCacheIsBoundedInBytes(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, conditional(56))
	if errs != nil {
		t.Fatal(errs)
	}
	op := doc.Operations[0]
	const budget = 256 << 10
	c := newPlanCache(budget)
	types := schemaTypes()
	a := c.analysis(op, doc, types)
	if a.reason != "" || len(a.vars) != 56 {
		t.Fatalf("analysis %+v; want 56 variables", a)
	}
	r := rand.New(rand.NewPCG(1, 2))
	kept := 0
	for range 3000 {
		vars := map[string]any{}
		for i := range 56 {
			vars[fmt.Sprintf("v%d", i)] = r.IntN(2) == 1
		}
		key := planKey{op: op, mask: a.mask(vars)}
		if c.get(key) != nil {
			continue
		}
		p := compile(context.Background(), types, op, vars, false)
		c.add(key, p, a)
		kept++
		if c.plans.Bytes() > budget {
			t.Fatalf("after %d plans: %d bytes kept; budget %d", kept, c.plans.Bytes(), budget)
		}
	}
	if c.plans.Len() >= kept || c.plans.Bytes() < budget/2 {
		t.Errorf("%d plans kept of %d made (%d bytes); want the budget full and the oldest gone", c.plans.Len(), kept, c.plans.Bytes())
	}
}

// The analyses kept, and the documents they keep, stay within their byte
// budget however many distinct operations come: 100 documents of about
// 0.45 MB each (parsed: 4,000 comments) would be 45 MB kept.
func TestAnalysesAreBoundedInBytes(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	const budget = 4 << 20
	c := newPlanCache(budget)
	types := schemaTypes()
	var first *ast.OperationDefinition
	for i := range 100 {
		doc, errs := gqlparser.LoadQuery(schema, fmt.Sprintf("query Q%d {\n%s dashboard(userId: \"u\") { userId } }", i, strings.Repeat("#\n", 4000)))
		if errs != nil {
			t.Fatal(errs)
		}
		if i == 0 {
			first = doc.Operations[0]
		}
		if a := c.analysis(doc.Operations[0], doc, types); a.doc < 4000*100 {
			t.Fatalf("document %d counted %d bytes; want its parsed size", i, a.doc)
		}
		if got := c.analyses.Bytes(); got > budget {
			t.Fatalf("after %d documents: %d bytes kept; budget %d", i+1, got, budget)
		}
	}
	if _, ok := c.analyses.Get(context.Background(), first); ok || c.analyses.Len() >= 100 {
		t.Errorf("%d analyses kept, the first among them: %v; want the oldest gone", c.analyses.Len(), ok)
	}
}

// A plan is per outcome of the conditions, including @defer's: the same
// document deferring and not deferring has two plans, each right.
func TestPlanPerDeferCondition(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, `query($d: Boolean) { dashboard(userId: "u1") { userId ... @defer(if: $d, label: "w") { wallet { loyaltyPoints } } } }`)
	if errs != nil {
		t.Fatal(errs)
	}
	op := doc.Operations[0]
	types := schemaTypes()
	a := analyze(op, types)
	for _, tt := range []struct {
		vars   map[string]any
		groups int
	}{
		{map[string]any{"d": true}, 1},
		{map[string]any{"d": false}, 0},
		{map[string]any{"d": nil}, 1}, // null: deferred, as if absent
		{map[string]any{}, 1},
	} {
		p := compile(context.Background(), types, op, tt.vars, true)
		if len(p.labels) != tt.groups {
			t.Errorf("%v: %d deferred groups; want %d", tt.vars, len(p.labels), tt.groups)
		}
	}
	masks := map[mask]bool{}
	for _, v := range []any{true, false, nil} {
		masks[a.mask(map[string]any{"d": v})] = true
	}
	if len(masks) != 3 || a.mask(map[string]any{}) != a.mask(map[string]any{"d": nil}) {
		t.Errorf("the masks of d=true, false and null are not told apart, or absent is not null")
	}
}
