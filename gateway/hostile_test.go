package gateway_test

import (
	"fmt"
	"strings"
)

// hostile is a document built to make the gateway work hard before anything
// runs, and what the gateway answers.
type hostile struct {
	name   string
	query  string
	vars   map[string]any
	code   string // of the one error
	reason string // extensions.reason of a LIMIT_EXCEEDED
}

// joined returns n strings made by f, separated by spaces.
func joined(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, " ")
}

// doublingDoc is the document: fragment Fn on `on` spreads Fn-1
// twice and selects field, so Fn expands to 2^(n+1)-1 fields; root spreads
// Fn where it selects `on`.
func doublingDoc(n int, root, on, field string) string {
	var b strings.Builder
	b.WriteString(strings.Replace(root, "SPREAD", fmt.Sprintf("...F%d", n), 1))
	fmt.Fprintf(&b, "\nfragment F0 on %s { %s }", on, field)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\nfragment F%d on %s { ...F%d ...F%d %s }", i, on, i-1, i-1, field)
	}
	return b.String()
}

// manyVariables returns $v0..$vn-1, each a user id.
func manyVariables(n int) map[string]any {
	vars := make(map[string]any, n)
	for i := range n {
		vars[fmt.Sprintf("v%d", i)] = fmt.Sprintf("u%d", i+1)
	}
	return vars
}

func userIDs(n int) []any {
	ids := make([]any, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i+1)
	}
	return ids
}

// hostileDocuments are the abusive documents of issue 8 and variants,
// each within the 20,000-byte query limit. All are answered with one
// error before validation or execution.
func hostileDocuments() []hostile {
	limit := "LIMIT_EXCEEDED"
	return []hostile{
		{name: "fragment doubling 30", query: doublingDoc(30, "query { SPREAD }", "Query", "__typename"), code: limit, reason: "fields"},
		{name: "fragment doubling under dashboards", query: doublingDoc(25, "query($ids: [ID!]!) { dashboards(userIds: $ids) { SPREAD } }", "Dashboard", "__typename"),
			vars: map[string]any{"ids": userIDs(2)}, code: limit, reason: "fields"},
		{name: "fragment doubling of aliases", query: doublingDoc(25, `{ dashboard(userId: "u1") { SPREAD } }`, "Dashboard", "a: __typename"), code: limit, reason: "fields"},
		{name: "wide __typename", query: "{ " + strings.Repeat("__typename ", 1800) + "}", code: limit, reason: "selections"},
		{name: "wide __typename in a field", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("__typename ", 300) + "} }", code: limit, reason: "repeated_fields"},
		{name: "wide repetition of a field", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("userId ", 300) + "} }", code: limit, reason: "repeated_fields"},
		{name: "repeated subtrees", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("orders { items { product { name } } } ", 100) + "} }", code: limit, reason: "repeated_fields"},
		{name: "operations sharing a repetitive fragment", query: joined(250, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) +
			` fragment F on Query { dashboard(userId: "u1") { ` + strings.Repeat("userId ", 300) + "} }", code: limit, reason: "operations"},
		{name: "operations sharing a fragment", query: joined(15, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) +
			` fragment F on Query { dashboard(userId: "u1") { ` + strings.Repeat("userId ", 50) + "} }", code: limit, reason: "repeated_fields"},
		{name: "operations sharing a big fragment", query: joined(20, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) +
			` fragment F on Query { dashboards(userIds: [` + strings.Repeat(`"u1" `, 100) + "]) { userId } }", code: limit, reason: "nodes"},
		{name: "many operations", query: joined(700, func(i int) string { return fmt.Sprintf("query Q%d { __typename }", i) }), code: limit, reason: "operations"},
		{name: "many fragments", query: "{ ...F0 } " + joined(300, func(i int) string { return fmt.Sprintf("fragment F%d on Query { __typename ...F%d }", i, i+1) }) + " fragment F300 on Query { __typename }",
			code: limit, reason: "fragments"},
		{name: "many spreads", query: "{ dashboard(userId: \"u1\") { " + strings.Repeat("...F ", 600) + "} } fragment F on Dashboard { userId }", code: limit, reason: "spreads"},
		{name: "long fragment chain", query: `{ dashboard(userId: "u1") { ...F0 } } ` + joined(40, func(i int) string {
			return fmt.Sprintf("fragment F%d on Dashboard { orders(first: 1) { id } ...F%d }", i, i+1)
		}) + " fragment F40 on Dashboard { userId }", code: limit, reason: "nodes"},
		{name: "wide aliases", query: "{ " + joined(1000, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + " }", code: limit, reason: "aliases"},
		{name: "deep introspection nesting", query: `{ __type(name: "Query") { ` + strings.Repeat("ofType { ", 900) + "name" + strings.Repeat(" }", 900) + " } }", code: limit, reason: "depth"},
		{name: "deep nesting through fragments", query: `{ __type(name: "Query") { ...T0 } } ` + joined(30, func(i int) string {
			return fmt.Sprintf("fragment T%d on __Type { ofType { ...T%d } }", i, i+1)
		}) + " fragment T30 on __Type { name }", code: limit, reason: "depth"},
		{name: "many selections", query: `{ dashboard(userId: "u1") { ` + strings.Repeat("wallet { loyaltyPoints } ", 790) + "} }", code: limit, reason: "selections"},
		{name: "many variables", query: "query(" + joined(600, func(i int) string { return fmt.Sprintf("$v%d: ID!", i) }) + ") { dashboards(userIds: [" +
			joined(600, func(i int) string { return fmt.Sprintf("$v%d", i) }) + "]) { userId } }", vars: manyVariables(600), code: limit, reason: "variables"},
		{name: "many tokens", query: "{ __typename " + strings.Repeat("@a", 6000) + " }", code: limit, reason: "tokens"},
		{name: "fragment cycle", query: "{ ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }", code: "GRAPHQL_VALIDATION_FAILED"},
	}
}

// codegenFragments select the whole contract as client code generators
// write it: a fragment per type, __typename in every selection set.
const codegenFragments = `
fragment Money on Money { __typename amountMinor currency formatted }
fragment ProductCard on Product { __typename id name price { ...Money } imageUrl inStock }
fragment OrderRow on Order { __typename id status placedAt total { ...Money }
  items { __typename quantity unitPrice { ...Money } product { ...ProductCard } } }
fragment Recommendation on Recommendation { __typename score reason product { ...ProductCard } }
fragment Feed on NotificationFeed { __typename unreadCount items { __typename id kind title createdAt read } }
fragment Profile on Profile { __typename id name email avatarUrl tier memberSince }
fragment Wallet on Wallet { __typename balance { ...Money } loyaltyPoints }
fragment Dashboard on Dashboard { __typename userId profile { ...Profile } orders(first: $first) { ...OrderRow }
  recommendations(first: $first) { ...Recommendation } notifications(first: $first) { ...Feed } wallet { ...Wallet } }`

// tenDashboards is the largest legitimate request we know of: the whole
// contract for ten users under aliases (the most root fields allowed),
// through the fragments of codegenFragments.
var tenDashboards = "query Ten($first: Int, " + joined(10, func(i int) string { return fmt.Sprintf("$u%d: ID!", i) }) + ") { " +
	joined(10, func(i int) string { return fmt.Sprintf("d%d: dashboard(userId: $u%d) { ...Dashboard }", i, i) }) + " }" + codegenFragments

func tenDashboardsVars() map[string]any {
	vars := map[string]any{"first": 3}
	for i := range 10 {
		vars[fmt.Sprintf("u%d", i)] = fmt.Sprintf("u%d", i+1)
	}
	return vars
}

// fiftyDashboards is the whole contract for 50 users at the default page
// size, through the same fragments.
const fiftyDashboards = "query Fifty($ids: [ID!]!, $first: Int) { dashboards(userIds: $ids) { ...Dashboard } }" + codegenFragments
