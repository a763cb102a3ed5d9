package limits

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/graph"
)

// Operation counts the fields of an introspection answer, walking the
// schema: what the answer will hold, each IntrospectionWeight.
func TestIntrospectionCost(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	types := int64(len(schema.Types))
	dashboard := int64(len(schema.Types["Dashboard"].Fields))
	w := int64(IntrospectionWeight)
	tests := []struct {
		name  string
		query string
		want  int64
	}{
		{"every type's name", `{ __schema { types { name } } }`, w * (1 + 1 + types)},
		{"a type's fields", `{ __type(name: "Dashboard") { name fields { name } } }`, w * (1 + 2 + dashboard)},
		{"an unknown type is null", `{ __type(name: "Nope") { name fields { name } } }`, w},
		{"wrappers unwrap", `{ __type(name: "Dashboard") { fields { name type { kind ofType { kind ofType { kind } } } } } }`, -1},
		{"fragments count where spread", `{ __type(name: "Dashboard") { ...T } } fragment T on __Type { name }`, w * 2},
		{"aliases count each", `{ a: __schema { types { name } } b: __schema { types { name } } }`, 2 * w * (1 + 1 + types)},
	}
	for _, tt := range tests {
		op := validated(t, tt.query).Operations[0]
		c := coster{ctx: context.Background(), frags: nil, schema: schema, introLeft: 1 << 40}
		got, err := c.set(op.SelectionSet)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.want >= 0 && got != tt.want || tt.want < 0 && got <= w*(1+1+dashboard) {
			t.Errorf("%s: cost %d; want %d", tt.name, got, tt.want)
		}
	}
}

// Ten aliased __schema reading every type's fields are refused by the
// default cost limit, and the count stops once past it.
func TestAliasedSchemaRefused(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	q := "{" + strings.Repeat(" s: __schema { types { name kind description fields { name description args { name type { name } } type { name kind ofType { name kind } } } } }", 1)
	q = strings.NewReplacer(" s:", " s0:").Replace(q)
	for i := 1; i < 10; i++ {
		q += " s" + string(rune('0'+i)) + ": __schema { types { name kind description fields { name description args { name type { name } } type { name kind ofType { name kind } } } } }"
	}
	q += " }"
	doc := validated(t, q)
	opCtx := &graphql.OperationContext{Operation: doc.Operations[0], Doc: doc}
	err := Operation{Schema: schema}.MutateOperationContext(context.Background(), opCtx)
	if e, ok := errors.AsType[*apierror.Error](err); !ok || e.Reason != ReasonCost {
		t.Fatalf("ten aliased __schema: %v; want refused for its cost", err)
	}
	one := validated(t, "{"+q[1:strings.Index(q, " s1:")]+" }")
	if err := (Operation{Schema: schema}).MutateOperationContext(context.Background(), &graphql.OperationContext{Operation: one.Operations[0], Doc: one}); err != nil {
		t.Errorf("one __schema: %v; want it to pass", err)
	}
}
