package limits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/acme/dashboard-gateway/apierror"
)

// reasonOf returns the LIMIT_EXCEEDED reason of err, its code for other
// errors, or "" for none.
func reasonOf(err *gqlerror.Error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*apierror.Error](err); ok && e.Code == apierror.LimitExceeded {
		return e.Reason
	}
	code, _ := err.Extensions["code"].(string)
	return code
}

func opContext(doc *ast.QueryDocument) *graphql.OperationContext {
	return &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
}

// tokens counts the lexer's tokens in query, as the parser's limit does.
func tokens(tb testing.TB, query string) int {
	tb.Helper()
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lx.ReadToken()
		if err != nil {
			tb.Fatalf("lex: %v", err)
		}
		if tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
}

func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	return b.String()
}

func nTimes(s string, n int) string { return repeat(n, func(int) string { return s }) }

// chain is fragments F0..Fn-1 on Query, each with body and spreading the next.
func chain(n int, body string) string {
	return repeat(n, func(i int) string {
		next := ""
		if i+1 < n {
			next = fmt.Sprintf("...F%d", i+1)
		}
		return fmt.Sprintf("fragment F%d on Query { %s %s }", i, body, next)
	})
}

func TestDocumentLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		query  string
		reason string // "" accepted
	}{
		{"the full contract query", Limits{}, fullQuery, ""},
		{"query length", Limits{}, "{ __typename " + strings.Repeat(" ", DefaultMaxQueryBytes) + "}", ReasonQueryLength},
		{"tokens", Limits{}, "{ a " + strings.Repeat("@a", DefaultMaxTokens/2) + "}", ReasonTokens},
		{"syntax errors are gqlgen's", Limits{}, "{ dashboard(", ""},
		{"operations", Limits{MaxOperations: 2}, "query A { __typename } query B { __typename } query C { __typename }", ReasonOperations},
		{"fragments defined", Limits{MaxFragments: 2}, "{ ...A } " + chain(3, "__typename"), ReasonFragments},
		{"fragments spread but unknown", Limits{MaxFragments: 2}, "{ ...A ...B ...C }", ReasonFragments},
		{"selections as written", Limits{MaxSelections: 5}, "{ " + nTimes("__typename", 6) + "}", ReasonSelections},
		{"variables", Limits{MaxVariables: 2}, "query A($a: ID, $b: ID) { __typename } query B($a: ID, $b: ID, $c: ID) { __typename }", ReasonVariables},
		{"selections in fragments", Limits{MaxSelections: 5}, "{ ...F0 } " + chain(2, "__typename __typename"), ReasonSelections},
		{"fields expanded", Limits{MaxFields: 127}, `{ dashboard(userId: "u1") { ...F6 } } ` + doubling(6, "Dashboard", "userId"), ReasonFields},
		{"fields expanded within", Limits{MaxFields: 128, MaxRepeats: 1 << 20}, `{ dashboard(userId: "u1") { ...F6 } } ` + doubling(6, "Dashboard", "userId"), ""},
		{"spreads expanded", Limits{MaxSpreads: 10}, "{ ...F0 } " + chain(11, "__typename"), ReasonSpreads},
		{"inline fragments count as spreads", Limits{MaxSpreads: 2}, "{ ... { ... { ... { __typename } } } }", ReasonSpreads},
		{"depth", Limits{MaxDepth: 3}, `{ dashboard(userId: "u1") { orders { items { quantity } } } }`, ReasonDepth},
		{"depth through fragments", Limits{MaxDepth: 3}, `{ dashboard(userId: "u1") { ...O } } fragment O on Dashboard { orders { items { quantity } } }`, ReasonDepth},
		{"depth of introspection", Limits{MaxDepth: 3}, `{ __type(name: "Query") { ofType { ofType { name } } } }`, ReasonDepth},
		{"aliases", Limits{}, "{ " + repeat(21, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + "}", ReasonAliases},
		{"aliases expanded", Limits{MaxAliases: 10}, "{ ...F3 } " + doubling(3, "Query", "a: __typename"), ReasonAliases},
		{"root fields", Limits{}, "{ " + nTimes("__typename", 11) + "}", ReasonRootFields},
		{"root fields through fragments", Limits{MaxRootFields: 2}, "{ ...F1 } " + doubling(1, "Query", "__typename"), ReasonRootFields},
		{"every operation is checked", Limits{MaxDepth: 2}, `query A { __typename } query B { dashboard(userId: "u1") { wallet { loyaltyPoints } } }`, ReasonDepth},
		{"nodes", Limits{MaxNodes: 50}, `{ dashboards(userIds: [` + nTimes(`"u1"`, 50) + `]) { userId } }`, ReasonNodes},
		{"nodes of every operation", Limits{MaxNodes: 100, MaxOperations: 50}, repeat(30, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) + " fragment F on Query { a: __typename b: __typename c: __typename }", ReasonNodes},
		{"repeated fields", Limits{MaxRepeats: 45}, `{ dashboard(userId: "u1") { ` + nTimes("__typename", 10) + "} }", ""},
		{"repeated fields, one more", Limits{MaxRepeats: 45}, `{ dashboard(userId: "u1") { ` + nTimes("__typename", 11) + "} }", ReasonRepeats},
		{"repeated fields merge", Limits{MaxRepeats: 2}, `{ d: dashboard(userId: "u1") { userId } d: dashboard(userId: "u1") { userId } d: dashboard(userId: "u1") { userId } }`, ReasonRepeats},
		{"repeated fields across fragments", Limits{MaxRepeats: 20}, "{ " + repeat(8, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "} " + repeat(8, func(i int) string { return fmt.Sprintf("fragment F%d on Query { __typename }", i) }), ReasonRepeats},
		{"repeated fields weigh their arguments", Limits{MaxRepeats: 8}, `{ dashboard(userId: "u1") { userId } dashboard(userId: "u1") { wallet { loyaltyPoints } } }`, ReasonRepeats},
		{"repeats of each operation add up", Limits{MaxRepeats: 30}, repeat(3, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) + " fragment F on Query { " + nTimes("__typename", 5) + "}", ReasonRepeats},
		{"deferred fragments", Limits{}, `{ dashboard(userId: "u1") { ` + repeat(10, func(i int) string { return fmt.Sprintf(`... @defer(label: "l%d") { userId }`, i) }) + "} }", ""},
		{"deferred fragments, one more", Limits{}, `{ dashboard(userId: "u1") { ` + repeat(11, func(i int) string { return fmt.Sprintf(`... @defer(label: "l%d") { userId }`, i) }) + "} }", ReasonDeferred},
		{"deferred fragments expanded", Limits{MaxDeferred: 3}, `{ a: dashboard(userId: "u1") { ...D } b: dashboard(userId: "u2") { ...D } } fragment D on Dashboard { ... @defer { userId } ... @defer { userId } }`, ReasonDeferred},
		{"unknown fragments are validation's", Limits{}, "{ ...Nope }", ""},
		{"cycles", Limits{}, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", "GRAPHQL_VALIDATION_FAILED"},
		{"a fragment spreading itself", Limits{}, "{ ...A } fragment A on Query { __typename ...A }", "GRAPHQL_VALIDATION_FAILED"},
		{"a cycle not spread", Limits{}, "{ __typename } fragment A on Query { ...A }", "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Document{Limits: tt.limits}.check(context.Background(), tt.query)
			if got := reasonOf(err); got != tt.reason {
				t.Errorf("%v (%v); want %q", err, m, tt.reason)
			}
			if err != nil && err.Message == "" {
				t.Errorf("error without a message")
			}
		})
	}
}

// What the measures are, on small documents.
func TestMeasures(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`{ __typename }`, "operations=1 fragments=0 selections=1 variables=0 fields=1 spreads=0 depth=1 aliases=0 root-fields=1 deferred=0 nodes=1 repeats=0"},
		{`{ a: dashboard(userId: "u1") { userId } b: dashboard(userId: "u2") { ...D } } fragment D on Dashboard { userId wallet { loyaltyPoints } }`,
			"operations=1 fragments=1 selections=7 variables=0 fields=6 spreads=1 depth=3 aliases=2 root-fields=2 deferred=0 nodes=14 repeats=0"},
		{`{ dashboard(userId: "u1") { ...D @defer ... @defer(label: "w") { wallet { loyaltyPoints } } } } fragment D on Dashboard { userId ... @defer { userId } }`,
			"operations=1 fragments=1 selections=8 variables=0 fields=5 spreads=3 depth=3 aliases=0 root-fields=1 deferred=3 nodes=19 repeats=2"},
		{`{ ...F2 } ` + doubling(2, "Query", "__typename"),
			"operations=1 fragments=3 selections=8 variables=0 fields=7 spreads=7 depth=1 aliases=0 root-fields=7 deferred=0 nodes=33 repeats=45"},
		{`query A($x: Int = 3) @skip(if: false) { __typename __typename } query B { __typename }`,
			"operations=2 fragments=0 selections=3 variables=1 fields=2 spreads=0 depth=1 aliases=0 root-fields=2 deferred=0 nodes=8 repeats=1"},
	}
	for _, tt := range tests {
		m, err := Document{}.check(context.Background(), tt.query)
		if got := m.String(); err != nil || !strings.HasPrefix(got, tt.want+" ") {
			t.Errorf("%.60s: %s, %v; want %s", tt.query, got, err, tt.want)
		}
	}
}

// Fragments that spread the previous one twice double the document at each
// level: each fragment is measured once, so even 60 levels (2^61 fields)
// take a few visits per selection written.
func TestDocumentMemoizesFragments(t *testing.T) {
	for _, n := range []int{30, 60} {
		query := fmt.Sprintf("{ ...F%d } ", n) + doubling(n, "Query", "__typename")
		start := time.Now()
		m, err := Document{Limits: Limits{MaxFragments: 100}}.check(context.Background(), query)
		if reasonOf(err) != ReasonFields || m.Fields != maxCountOr(1<<(n+1)-1) {
			t.Errorf("F%d: %v (%v); want refused for its %d fields", n, err, m, int64(1)<<(n+1)-1)
		}
		if written := 3*n + 2; m.Work > written {
			t.Errorf("F%d: visited %d nodes; want each of the %d selections once", n, m.Work, written)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("F%d: took %v", n, elapsed)
		}
	}
}

func maxCountOr(n int64) int64 {
	if n <= 0 || n > maxCount {
		return maxCount
	}
	return n
}

// The context ends the measuring; Document answers as the deadline
// requires.
func TestDocumentContext(t *testing.T) {
	query := "{ " + nTimes("a", 1100) + "}"
	for _, tt := range []struct {
		cancel func() context.Context
		code   string
	}{
		{func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, string(apierror.Cancelled)},
		{func() context.Context {
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			_ = cancel
			return ctx
		}, string(apierror.DeadlineExceeded)},
	} {
		m, err := Document{Limits: Limits{MaxSelections: 1 << 20, MaxRootFields: 1 << 20, MaxFields: 1 << 20, MaxRepeats: 1 << 30}}.check(tt.cancel(), query)
		if reasonOf(err) != tt.code {
			t.Errorf("%v; want %s", err, tt.code)
		}
		if m.Work > ctxEvery {
			t.Errorf("visited %d nodes after the context ended; want at most %d", m.Work, ctxEvery)
		}
	}
}

// A document gqlgen has validated before is not measured again.
func TestDocumentKnown(t *testing.T) {
	query := "{ " + nTimes("__typename", 11) + "}"
	d := Document{Known: func(_ context.Context, q string) bool { return q == query }}
	if err := d.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: query}); err != nil {
		t.Errorf("known document: %v", err)
	}
	d.Known = func(context.Context, string) bool { return false }
	if err := d.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: query}); reasonOf(err) != ReasonRootFields {
		t.Errorf("unknown document: %v; want refused", err)
	}
}
