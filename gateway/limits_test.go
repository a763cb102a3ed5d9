package gateway_test

import (
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/limits"
)

// introspectionQuery is the schema query GraphiQL sends (graphql-js's
// getIntrospectionQuery with its default type depth of 9, descriptions and
// deprecated input values): the deepest document a legitimate client sends.
func introspectionQuery() string {
	typeRef := "kind name"
	for range 9 {
		typeRef = "kind name ofType { " + typeRef + " }"
	}
	return `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind } mutationType { name kind } subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { ` + typeRef + ` }`
}

// The largest legitimate documents we know of pass every limit and run.
func TestLegitimateDocumentsPass(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	tests := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"ten dashboards through codegen fragments", tenDashboards, tenDashboardsVars()},
		{"fifty dashboards through codegen fragments", fiftyDashboards, map[string]any{"ids": userIDs(50), "first": 3}},
		{"GraphiQL's introspection query", introspectionQuery(), nil},
		{"the full contract query", contract.DashboardQuery, map[string]any{"id": "u1"}},
	}
	for _, tt := range tests {
		r := e.Post(t, tt.query, tt.vars)
		if r.Status != 200 || len(r.GQL.Errors) > 0 || len(r.GQL.Data) == 0 {
			t.Errorf("%s: %d %.300s; want data", tt.name, r.Status, r.Body)
		}
	}
}

// The document limits are settings: each one configured lower refuses a
// document the default lets through, with its reason.
func TestConfiguredDocumentLimits(t *testing.T) {
	tests := []struct {
		limits limits.Limits
		query  string
		reason string
	}{
		{limits.Limits{MaxOperations: 1}, "query A { __typename } query B { __typename }", "operations"},
		{limits.Limits{MaxFragments: 1}, "query A { ...A ...B } fragment A on Query { __typename } fragment B on Query { __typename }", "fragments"},
		{limits.Limits{MaxSelections: 2}, `query A { dashboard(userId: "u1") { userId wallet { loyaltyPoints } } }`, "selections"},
		{limits.Limits{MaxSpreads: 1}, `query A { dashboard(userId: "u1") { ...D ...D } } fragment D on Dashboard { userId }`, "spreads"},
		{limits.Limits{MaxFields: 2}, `query A { dashboard(userId: "u1") { ...D } } fragment D on Dashboard { userId wallet { loyaltyPoints } }`, "fields"},
		{limits.Limits{MaxVariables: 1}, `query A($a: ID!, $b: ID!) { a: dashboard(userId: $a) { userId } b: dashboard(userId: $b) { userId } }`, "variables"},
		{limits.Limits{MaxNodes: 5}, `query A { dashboards(userIds: ["u1", "u2", "u3"]) { userId } }`, "nodes"},
		{limits.Limits{MaxRepeats: 1}, `query A { dashboard(userId: "u1") { userId userId userId } }`, "repeated_fields"},
	}
	for _, tt := range tests {
		body := map[string]any{"query": tt.query, "operationName": "A", "variables": map[string]any{"a": "u1", "b": "u2"}}
		r := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.Limits = tt.limits }}).PostJSON(t, body)
		if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "LIMIT_EXCEEDED" || r.GQL.Errors[0].Extensions["reason"] != tt.reason {
			t.Errorf("%+v %.60s: %s; want LIMIT_EXCEEDED %s", tt.limits, tt.query, r.Body, tt.reason)
		}
		if r := gatewaytest.New(t, gatewaytest.Options{}).PostJSON(t, body); len(r.GQL.Errors) > 0 {
			t.Errorf("%.60s with the default limits: %s; want data", tt.query, r.Body)
		}
	}
}

// Validation errors suggest no names, with introspection on or off:
// suggestions cost validation the product of the names' lengths at every
// visit, and named types and arguments introspection hides.
func TestNoNameSuggestions(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.Introspection = onOff(on) }})
		for _, q := range []string{
			`{ dashboard(userId: "u1") { ...F } } fragment F on Dashbord { userId }`,
			`{ dashboard(userid: "u1") { userId } }`,
			`{ dashboard(userId: "u1") { profil { name } } }`,
			`{ dashboard(userId: "u1") { wallet } }`,
		} {
			r := e.Post(t, q, nil)
			if len(r.GQL.Errors) == 0 || strings.Contains(string(r.Body), "Did you mean") || r.GQL.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("introspection %v, %s: %s; want validation errors without suggestions", on, q, r.Body)
			}
		}
	}
}
