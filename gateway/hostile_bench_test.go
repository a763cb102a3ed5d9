package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// benchDocuments are the documents of BenchmarkHostileDocuments: normal
// ones, the hostile ones, and the costliest that pass every limit.
func benchDocuments() []hostile {
	docs := []hostile{
		{name: "normal/full contract query", query: contract.DashboardQuery, vars: map[string]any{"id": "u1"}},
		{name: "normal/ten dashboards through fragments", query: tenDashboards, vars: tenDashboardsVars()},
	}
	docs = append(docs, hostile{name: "hostile/fragment doubling 20", query: doublingDoc(20, "query { SPREAD }", "Query", "__typename"), code: "LIMIT_EXCEEDED"})
	for _, h := range hostileDocuments() {
		h.name = "hostile/" + h.name
		docs = append(docs, h)
	}
	invalid := "GRAPHQL_VALIDATION_FAILED"
	unknownInFragments := func(frags int) string {
		return `{ dashboard(userId: "u1") { ` + joined(frags, func(i int) string { return fmt.Sprintf("...F%d", i) }) + " } } " +
			joined(frags, func(i int) string {
				return fmt.Sprintf("fragment F%d on Dashboard { %s }", i, joined(20, func(j int) string { return fmt.Sprintf("x%d_%d", i, j) }))
			})
	}
	return append(docs,
		hostile{name: "within limits/unknown fields", query: `{ dashboard(userId: "u1") { ` + joined(990, func(i int) string { return fmt.Sprintf("userIx%d", i) }) + " } }", code: invalid},
		hostile{name: "within limits/unknown fields in fragments", query: unknownInFragments(35), code: invalid},
		hostile{name: "within limits/unknown fields with long names", query: `{ __type(name: "Query") { ` + joined(260, func(i int) string { return fmt.Sprintf("f%d%s", i, strings.Repeat("q", 70)) }) + " } }", code: invalid},
		hostile{name: "within limits/fragment on a long unknown type", query: `{ dashboard(userId: "u1") { ...F } } fragment F on Dashboard` + strings.Repeat("x", 19000) + " { userId }", code: invalid},
		hostile{name: "within limits/wide input object", query: `{ dashboard(userId: {` + joined(1490, func(i int) string { return fmt.Sprintf("a%d: 1", i) }) + `}) { userId } }`, code: invalid},
		hostile{name: "within limits/variables", query: "query(" + joined(100, func(i int) string { return fmt.Sprintf("$v%d: ID", i) }) + `) { dashboards(userIds: [` +
			joined(1390, func(i int) string { return fmt.Sprintf("$v%d", i%100) }) + "]) { userId } }", code: invalid},
		hostile{name: "within limits/repeated fields", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("userId ", 63) + "} }"},
		hostile{name: "within limits/comments", query: "{ __typename " + strings.Repeat("#\n", 4990) + "}"},
		hostile{name: "within limits/unknown fields in fragments and comments", query: unknownInFragments(35) + strings.Repeat("#\n", 5000-2*35*22-10), code: invalid},
	)
}

// codeOf is the code the error presenter will give err.
func codeOf(err *gqlerror.Error) string {
	if e, ok := errors.AsType[*apierror.Error](err); ok {
		return string(e.Code)
	}
	code, _ := err.Extensions["code"].(string)
	return code
}

// BenchmarkHostileDocuments measures what a document costs before anything
// runs: gqlgen's CreateOperationContext on the real schema with the
// gateway's extensions (measuring, parsing, validation, variables,
// arguments and cost), each time on a new executor, so its query cache
// never helps. See BENCHMARKS.md.
func BenchmarkHostileDocuments(b *testing.B) {
	opts := gateway.Options{
		Dashboards:    dashboard.New(dashboard.Options{}),
		Introspection: true, // as the demo runs
		MaxQueryBytes: gateway.DefaultMaxQueryBytes,
		MaxTokens:     gateway.DefaultMaxTokens,
		MaxCost:       gateway.DefaultMaxCost,
		APQCacheSize:  gateway.DefaultAPQCacheSize,
	}
	for _, d := range benchDocuments() {
		b.Run(d.name, func(b *testing.B) {
			params := func() *graphql.RawParams { return &graphql.RawParams{Query: d.query, Variables: d.vars} }
			_, errs := gateway.NewExecutor(opts).CreateOperationContext(graphql.StartOperationTrace(context.Background()), params())
			if len(errs) > 0 && codeOf(errs[0]) != d.code || len(errs) == 0 && d.code != "" {
				b.Fatalf("errors %.300v; want code %q", errs, d.code)
			}
			for b.Loop() {
				b.StopTimer()
				exec := gateway.NewExecutor(opts)
				b.StartTimer()
				exec.CreateOperationContext(graphql.StartOperationTrace(context.Background()), params())
			}
			b.ReportMetric(float64(len(d.query)), "bytes")
		})
	}
}

// BenchmarkConditionsHeap sends one operation with 56 Boolean variables,
// each request with random values (a different outcome of its conditions
// nearly every time), and reports how much the live heap grew per request:
// what keeping a plan per outcome costs. See BENCHMARKS.md.
func BenchmarkConditionsHeap(b *testing.B) {
	var vars, fields []string
	for i := range 56 {
		vars = append(vars, fmt.Sprintf("$v%d: Boolean!", i))
		fields = append(fields, fmt.Sprintf("userId @include(if: $v%d)", i))
	}
	query := "query(" + strings.Join(vars, ", ") + `) { dashboard(userId: "u1") { ` + strings.Join(fields, " ") + " } }"
	e := gatewaytest.New(b, gatewaytest.Options{Bench: true})
	r := rand.New(rand.NewPCG(1, 2))
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for b.Loop() {
		v := map[string]any{}
		for i := range 56 {
			v[fmt.Sprintf("v%d", i)] = r.IntN(2) == 1
		}
		if res := e.Post(b, query, v); res.Status != 200 || len(res.GQL.Errors) > 0 {
			b.Fatalf("status %d, errors %v", res.Status, res.GQL.Errors)
		}
	}
	b.ReportMetric(float64(int64(heap())-int64(before))/float64(b.N), "heap-B/req")
}
