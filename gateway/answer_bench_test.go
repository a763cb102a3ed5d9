package gateway_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

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

// BenchmarkAnswerBounds measures the red team's two requests end to end,
// over loopback HTTP (client and server allocations both count): the
// catalog-failing request for 3,062 errors, and ten aliased __schema.
func BenchmarkAnswerBounds(b *testing.B) {
	failing := gatewaytest.New(b, gatewaytest.Options{Bench: true, Failing: []string{simulator.Catalog}})
	healthy := gatewaytest.New(b, gatewaytest.Options{Bench: true})
	for _, bc := range []struct {
		name  string
		gw    *gatewaytest.Gateway
		query string
		vars  map[string]any
	}{
		{"catalog failing", failing, redTeamErrorsQuery, map[string]any{"ids": userIDs(50)}},
		{"ten aliased __schema", healthy, aliasedSchemaQuery(), nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := bc.gw.Post(b, bc.query, bc.vars)
			b.Logf("%d, %d bytes, %d errors %.200s", r.Status, len(r.Body), len(r.GQL.Errors), r.Body)
			b.ReportAllocs()
			for b.Loop() {
				bc.gw.Post(b, bc.query, bc.vars)
			}
		})
	}
}
