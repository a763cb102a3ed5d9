package gateway_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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

// redTeamErrorsQuery is the red team's request for many errors: with the
// catalog failing, every product of 50 dashboards' orders and
// recommendations fails on its own (3,062 errors, 724 KB, before the
// errors cap).
const redTeamErrorsQuery = `query($ids: [ID!]!) { dashboards(userIds: $ids) { orders(first: 50) { items { product { name } } } recommendations(first: 50) { product { name } } } }`

// aliasedSchemaQuery is ten aliased __schema, each reading every type's
// fields, their arguments and types: within every document limit, and
// before introspection counted in the cost, 10 times the work of one.
func aliasedSchemaQuery() string {
	var b strings.Builder
	b.WriteString("query {")
	for i := range 10 {
		fmt.Fprintf(&b, " s%d: __schema { types { name kind description fields { name description args { name type { name } } type { name kind ofType { name kind } } } } }", i)
	}
	b.WriteString(" }")
	return b.String()
}

// An incremental answer is bounded too: once its payloads pass
// -max-response-bytes, the payload that would pass it goes out with its
// parts failed with RESPONSE_TOO_LARGE, as the last, in both formats; the
// first payload, under the cap, is whole. (gqlgen's executor sends this
// operation as one JSON answer, which TestResponseSizeCapped covers.)
func TestResponseSizeCappedDeferred(t *testing.T) {
	q := `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId ... @defer { profile { name email } } } }`
	vars := map[string]any{"ids": userIDs(50)}
	for _, accept := range []string{gatewaytest.DeferAccept, gatewaytest.DeferAcceptV02} {
		{
			name := accept
			gw := gatewaytest.New(t, gatewaytest.Options{
				// Profiles come after the first payload has gone out.
				Behaviors: map[string]simulator.Behavior{simulator.Profile: {Latency: simulator.Latency{Min: 300 * time.Millisecond}}},
				Edit: func(c *config.Config) {
					c.MaxResponseBytes = 6000 // the first payload's 50 user ids fit (and v0.2's pending parts), not their profiles
				}})
			ps := gw.PostDeferred(t, q, vars, "Accept", accept)
			if len(ps) < 2 || !strings.Contains(string(ps[0].Data), `"userId":"u50"`) {
				t.Fatalf("%s: %d payloads, the first %.200s; want the first whole and more", name, len(ps), ps[0].Data)
			}
			last := ps[len(ps)-1]
			var codes []string
			for _, inc := range last.Incremental {
				for _, e := range inc.Errors {
					codes = append(codes, e.Code())
				}
			}
			for _, c := range last.Completed {
				for _, e := range c.Errors {
					codes = append(codes, e.Code())
				}
			}
			if len(codes) == 0 || slices.ContainsFunc(codes, func(c string) bool { return c != "RESPONSE_TOO_LARGE" }) {
				t.Errorf("%s: the last payload's error codes %v; want RESPONSE_TOO_LARGE only", name, codes)
			}
			for _, p := range ps[1:] {
				for _, inc := range p.Incremental {
					if strings.Contains(string(inc.Data), "@example") && len(inc.Errors) > 0 {
						t.Errorf("%s: a failed part carries data: %.200s", name, inc.Data)
					}
				}
			}
		}
	}
}

// An incremental answer whose first payload is past the cap is one
// payload: RESPONSE_TOO_LARGE, null data, and hasNext false, so that a
// client reading parts knows it is the last.
func TestResponseSizeCappedDeferredFirst(t *testing.T) {
	q := `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId ... @defer { profile { name } } } }`
	for _, accept := range []string{gatewaytest.DeferAccept, gatewaytest.DeferAcceptV02} {
		gw := gatewaytest.New(t, gatewaytest.Options{
			Behaviors: map[string]simulator.Behavior{simulator.Profile: {Latency: simulator.Latency{Min: 300 * time.Millisecond}}},
			Edit:      func(c *config.Config) { c.MaxResponseBytes = 500 }, // less than the first payload's 50 user ids
		})
		ps := gw.PostDeferred(t, q, map[string]any{"ids": userIDs(50)}, "Accept", accept) // checks hasNext
		if len(ps) != 1 || string(ps[0].Data) != "null" || len(ps[0].Errors) != 1 || ps[0].Errors[0].Code() != "RESPONSE_TOO_LARGE" {
			t.Errorf("%s: %d payloads, the first %+v; want one, RESPONSE_TOO_LARGE with null data", accept, len(ps), ps[0])
		}
	}
}

// A document's validation errors are capped like an executed answer's:
// 990 unknown fields (within the document limits) get the first
// -max-errors of their errors and one TOO_MANY_ERRORS counting the rest.
func TestValidationErrorsCapped(t *testing.T) {
	q := `{ dashboard(userId: "u1") { ` + joined(990, func(i int) string { return fmt.Sprintf("a%d", i) }) + ` } }`
	for _, tt := range []struct {
		maxErrors int // 0: the default
		kept      int
	}{{0, 100}, {10, 10}} {
		gw := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) { c.MaxErrors = tt.maxErrors }})
		r := gw.Post(t, q, nil)
		errs := r.GQL.Errors
		if len(errs) != tt.kept+1 || errs[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("-max-errors %d: %d errors, the first %+v; want %d validation errors and TOO_MANY_ERRORS", tt.maxErrors, len(errs), errs[0], tt.kept)
		}
		last := errs[len(errs)-1]
		if last.Code() != "TOO_MANY_ERRORS" || last.Extensions["dropped"] != float64(990-tt.kept) {
			t.Errorf("-max-errors %d: the last error %+v; want TOO_MANY_ERRORS with %d dropped", tt.maxErrors, last, 990-tt.kept)
		}
	}
}

// A service down fails every field it backs; the log says so once per
// answer and kind of failure, with its cause, and one more line counts the
// other fields that failed the same way: 100 errors are not 100 log lines.
func TestRepeatedFailuresLoggedOnce(t *testing.T) {
	gw := gatewaytest.New(t, gatewaytest.Options{Failing: []string{simulator.Catalog}})
	r := gw.Post(t, redTeamErrorsQuery, map[string]any{"ids": userIDs(50)}, "X-Request-Id", "req-repeated")
	if len(r.GQL.Errors) != 101 {
		t.Fatalf("%d errors; want the cap's 100 and TOO_MANY_ERRORS", len(r.GQL.Errors))
	}
	failed, more := 0, -1.0
	for _, l := range gw.Logs.Lines() {
		if l["request_id"] != "req-repeated" {
			continue
		}
		switch l["msg"] {
		case "field failed":
			failed++
			if l["service"] != "catalog" || l["error"] == nil {
				t.Errorf("field failed line %v; want the catalog's, with its cause", l)
			}
		case "more fields failed like those logged":
			more, _ = l["fields"].(float64)
		}
	}
	// One line per kind: bad_status, or CIRCUIT_OPEN once the catalog's
	// breaker opens during the request.
	if failed < 1 || failed > 2 || failed+int(more) != 100 {
		t.Errorf("%d field failed lines, and %v more counted; want a line per kind of failure (at most 2), and the rest of the 100 errors counted", failed, more)
	}
}
