package coercion_test

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/coercion"
	"github.com/acme/dashboard-gateway/graph"
)

// Arguments refuses a null where an argument's type is non-null, in the
// argument or in an element of a list argument, and nothing else.
func TestArguments(t *testing.T) {
	tests := []struct {
		query string
		vars  map[string]any
		want  string // the error's message, "" for none
	}{
		{`{ dashboard(userId: "u1") { userId } }`, nil, ""},
		{`query($id: ID = "u1") { dashboard(userId: $id) { userId } }`, nil, ""},
		{`query($id: ID = "u1") { dashboard(userId: $id) { userId } }`, map[string]any{"id": nil}, `argument "userId" of type "ID!" must not be null`},
		{`query($id: ID = "u1") { dashboards(userIds: [$id]) { userId } }`, map[string]any{"id": nil}, `argument "userIds" of type "[ID!]!" must not contain null`},
		{`query($ids: [ID!] = ["u1"]) { dashboards(userIds: $ids) { userId } }`, map[string]any{"ids": nil}, `argument "userIds" of type "[ID!]!" must not be null`},
		{`query($ids: [ID!]!) { dashboards(userIds: $ids) { userId } }`, map[string]any{"ids": []any{"u1", "u2"}}, ""},
		{`query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, map[string]any{"n": nil}, ""},
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, tt := range tests {
		doc, errs := gqlparser.LoadQuery(schema, tt.query)
		if errs != nil {
			t.Fatalf("%s: %v", tt.query, errs)
		}
		var got string
		root := doc.Operations[0].SelectionSet[0].(*ast.Field)
		for _, f := range []*ast.Field{root, firstField(root)} {
			if f == nil {
				continue
			}
			if err := coercion.Arguments(f, tt.vars); err != nil && got == "" {
				got = err.Error()
			}
		}
		if got != tt.want {
			t.Errorf("%s with %v: %q; want %q", tt.query, tt.vars, got, tt.want)
		}
	}
}

// firstField is f's first subfield, or nil.
func firstField(f *ast.Field) *ast.Field {
	if len(f.SelectionSet) == 0 {
		return nil
	}
	sub, _ := f.SelectionSet[0].(*ast.Field)
	return sub
}

// Conditions refuses a null `if` of @skip or @include, in the operation or
// a fragment it spreads; a null @defer(if:) is not its business.
func TestConditions(t *testing.T) {
	tests := []struct {
		query string
		vars  map[string]any
		bad   bool
	}{
		{`query($v: Boolean = false) { dashboard(userId: "u1") { userId @skip(if: $v) } }`, map[string]any{"v": nil}, true},
		{`query($v: Boolean = false) { dashboard(userId: "u1") { userId @skip(if: $v) } }`, map[string]any{"v": true}, false},
		{`query($v: Boolean = false) { dashboard(userId: "u1") { userId @skip(if: $v) } }`, nil, false},
		{`query($v: Boolean = true) { dashboard(userId: "u1") { ...F } } fragment F on Dashboard { userId @include(if: $v) }`, map[string]any{"v": nil}, true},
		{`query($v: Boolean = true) { dashboard(userId: "u1") { ... @include(if: $v) { userId } } }`, map[string]any{"v": nil}, true},
		{`query($v: Boolean) { dashboard(userId: "u1") { ... @defer(if: $v) { userId } } }`, map[string]any{"v": nil}, false},
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, tt := range tests {
		doc, errs := gqlparser.LoadQuery(schema, tt.query)
		if errs != nil {
			t.Fatalf("%s: %v", tt.query, errs)
		}
		if err := coercion.Conditions(doc.Operations[0], tt.vars); (err != nil) != tt.bad {
			t.Errorf("%s with %v: %v; want an error: %v", tt.query, tt.vars, err, tt.bad)
		}
	}
}
