package gateway_test

import (
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// redTeamErrors is how many errors the red team's request has with the
// catalog failing: one per product.
const redTeamErrors = 3062

// With the catalog failing, the red team's request gets at most the
// configured number of errors and one TOO_MANY_ERRORS counting the rest,
// from both executors.
func TestErrorsCapped(t *testing.T) {
	for _, tt := range []struct {
		name       string
		gqlgenOnly bool
		max        int
	}{{"fast path, default", false, 0}, {"gqlgen, default", true, 0}, {"fast path, 10", false, 10}, {"gqlgen, 10", true, 10}} {
		gw := gatewaytest.New(t, gatewaytest.Options{Failing: []string{simulator.Catalog}, Bench: true, Edit: func(c *config.Config) {
			c.GqlgenOnly = tt.gqlgenOnly
			if tt.max > 0 {
				c.MaxErrors = tt.max
			}
		}})
		want := tt.max
		if want == 0 {
			want = 100
		}
		r := gw.Post(t, redTeamErrorsQuery, map[string]any{"ids": userIDs(50)})
		var truncated []gatewaytest.Error
		for _, e := range r.GQL.Errors {
			if e.Code() == "TOO_MANY_ERRORS" {
				truncated = append(truncated, e)
			}
		}
		if r.Status != 200 || len(r.GQL.Errors) != want+1 || len(truncated) != 1 {
			t.Fatalf("%s: %d, %d errors, %d TOO_MANY_ERRORS; want 200, %d errors and one", tt.name, r.Status, len(r.GQL.Errors), len(truncated), want+1)
		}
		if got := truncated[0].Extensions["dropped"]; got != float64(redTeamErrors-want) {
			t.Errorf("%s: dropped %v; want %d", tt.name, got, redTeamErrors-want)
		}
	}
}

// An answer past -max-response-bytes becomes one RESPONSE_TOO_LARGE error
// with null data; the same answer under the default cap goes out whole.
func TestResponseSizeCapped(t *testing.T) {
	q := `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId profile { name email } } }`
	vars := map[string]any{"ids": userIDs(50)}
	whole := gatewaytest.New(t, gatewaytest.Options{}).Post(t, q, vars)
	if whole.Status != 200 || len(whole.GQL.Errors) > 0 {
		t.Fatalf("default cap: %d %.200s; want data", whole.Status, whole.Body)
	}
	for _, gqlgenOnly := range []bool{false, true} {
		gw := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) {
			c.MaxResponseBytes = len(whole.Body) - 1
			c.GqlgenOnly = gqlgenOnly
		}})
		r := gw.Post(t, q, vars)
		if r.Status != 200 || string(r.GQL.Data) != "null" || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "RESPONSE_TOO_LARGE" {
			t.Errorf("gqlgen only %v, cap %d: %d %.300s; want null data and RESPONSE_TOO_LARGE", gqlgenOnly, len(whole.Body)-1, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "userId") {
			t.Errorf("gqlgen only %v: the answer past the cap leaked data: %.300s", gqlgenOnly, r.Body)
		}
	}
}

// codegenIntrospectionQuery is graphql-js 16's getIntrospectionQuery with
// descriptions, as graphql-codegen and other schema-generating clients
// send it (7 levels of ofType, no specifiedByURL or isRepeatable).
func codegenIntrospectionQuery() string {
	typeRef := "kind name"
	for range 7 {
		typeRef = "kind name ofType { " + typeRef + " }"
	}
	return `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { ` + typeRef + ` }`
}

// Introspection counts in the cost: ten aliased __schema are refused for
// it, while the introspection queries of GraphiQL and of schema-generating
// clients pass with the default limits.
func TestIntrospectionCost(t *testing.T) {
	gw := gatewaytest.New(t, gatewaytest.Options{})
	r := gw.Post(t, aliasedSchemaQuery(), nil)
	if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "LIMIT_EXCEEDED" || r.GQL.Errors[0].Extensions["reason"] != "cost" {
		t.Errorf("ten aliased __schema: %d %.300s; want LIMIT_EXCEEDED cost", r.Status, r.Body)
	}
	for name, q := range map[string]string{"GraphiQL": introspectionQuery(), "graphql-codegen": codegenIntrospectionQuery()} {
		r := gw.Post(t, q, nil)
		if r.Status != 200 || len(r.GQL.Errors) > 0 || !strings.Contains(string(r.GQL.Data), `"Dashboard"`) {
			t.Errorf("%s's introspection query: %d %.300s; want the schema", name, r.Status, r.Body)
		}
	}
}
