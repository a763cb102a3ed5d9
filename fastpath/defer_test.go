package fastpath_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// drain runs query as a client accepting multipart/mixed does and returns
// every response: the initial one, then the deferred parts sorted (their
// order is the order they resolved in; parts ready together come in one
// response, graphqlhttp.BatchExtension), each as JSON.
func drain(tb testing.TB, e *executor.Executor, query string, vars map[string]any) []string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(graphql.StartOperationTrace(context.Background()), 10*time.Second)
	defer cancel()
	headers := http.Header{"Accept": {"multipart/mixed;deferSpec=20220824, application/json"}}
	opCtx, errs := e.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars, Headers: headers})
	if errs != nil {
		tb.Fatalf("%s: %v", query, errs)
	}
	handler, ctx := e.DispatchOperation(ctx, opCtx)
	var out []string
	for resp := handler(ctx); resp != nil; resp = handler(ctx) {
		more := graphqlhttp.Batch(resp) // the parts ready with resp
		delete(resp.Extensions, graphqlhttp.BatchExtension)
		if len(resp.Extensions) == 0 {
			resp.Extensions = nil
		}
		for _, r := range append([]*graphql.Response{resp}, more...) {
			r.HasNext = nil // which part is last depends on timing
			b, err := json.Marshal(r)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	if len(out) > 1 {
		slices.Sort(out[1:])
	}
	return out
}

// The fast path defers the fragments of a Dashboard as gqlgen's executor
// does: the same parts (data, path, label, errors). The initial data
// differ on purpose: gqlgen writes each deferred field there as null,
// where the incremental delivery RFC (and graphql-js) leave it out, and
// gqlgen does not defer a field without a resolver (userId).
func TestDeferLikeGqlgen(t *testing.T) {
	p := newPaths(t, nil, nil)
	for _, q := range []string{
		`{ dashboard(userId: "u1") { userId ... @defer { wallet { loyaltyPoints } } } }`,
		`{ dashboard(userId: "u1") { profile { name } ... @defer(label: "a") { orders(first: 2) { id items { product { name } } } }
			...W @defer(label: "b") } } fragment W on Dashboard { wallet { balance { formatted } } notifications(first: 1) { unreadCount } }`,
		`{ dashboards(userIds: ["u1", "u2", "u999999"]) { userId ... @defer(label: "p") { profile { tier } } } }`,
		`{ dashboard(userId: "u1") { userId ... @defer(if: false) { wallet { loyaltyPoints } } } }`,
	} {
		want := drain(t, p.gqlgen, q, nil)
		before := p.fallback.runs.Load()
		got := drain(t, p.fast, q, nil)
		if p.fallback.runs.Load() != before {
			t.Errorf("%s: left to gqlgen", q)
		}
		if len(got) != len(want) || !slices.Equal(got[1:], want[1:]) {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
}
