package gatewaytest

import (
	"fmt"
	"strconv"
	"strings"
)

// The documents of the @defer benchmarks, shared by the in-process ones
// (package gateway) and the load tests (package loadtest), so that both
// measure the same thing.

// DeferCostDocuments are a document with @defer and the same without it:
// 50 dashboards, the top-level fields of each in deferred fragments (as
// many as -max-deferred allows).
func DeferCostDocuments(ids []any) (deferred, whole string, vars map[string]any) {
	fields := []string{
		"profile { name tier }", "orders(first: 5) { id status total { formatted } }",
		"recommendations(first: 5) { score product { name } }", "notifications(first: 5) { unreadCount items { title } }",
		"wallet { balance { formatted } loyaltyPoints }", "o2: orders(first: 2) { id items { quantity } }",
		"r2: recommendations(first: 2) { score }", "n2: notifications(first: 2) { unreadCount }",
		"w2: wallet { loyaltyPoints }", "p2: profile { memberSince }",
	}
	var d, w strings.Builder
	for i, f := range fields {
		fmt.Fprintf(&d, "... @defer(label: \"f%d\") { %s } ", i, f)
		w.WriteString(f + " ")
	}
	q := func(sel string) string {
		return `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId ` + sel + `} }`
	}
	return q(d.String()), q(w.String()), map[string]any{"ids": ids}
}

// RedTeamDocument is the outside red team's @defer document, as near as
// its description lets it be rebuilt: dashboards of 50 ids in 9 aliased
// roots, each root spreading 10 of 18 deferred fragments; labelled gives
// each spread a label of its own (unique, as the gateway requires),
// deferred false drops @defer (the same selection in one answer).
func RedTeamDocument(labelled, deferred bool) (string, map[string]any) {
	var b strings.Builder
	b.WriteString("query($ids: [ID!]!) {")
	for r := range 9 {
		fmt.Fprintf(&b, " r%d: dashboards(userIds: $ids) { userId", r)
		for k := range 10 {
			f := (r%2)*8 + k
			switch {
			case !deferred:
				fmt.Fprintf(&b, " ...F%d", f)
			case labelled:
				fmt.Fprintf(&b, ` ...F%d @defer(label: "r%d_f%d")`, f, r, f)
			default:
				fmt.Fprintf(&b, " ...F%d @defer", f)
			}
		}
		b.WriteString(" }")
	}
	b.WriteString(" }")
	fields := []string{"wallet { loyaltyPoints }", "profile { name }", "notifications(first: 2) { unreadCount }",
		"orders(first: 2) { id }", "recommendations(first: 2) { score }"}
	for f := range 18 {
		fmt.Fprintf(&b, " fragment F%d on Dashboard { %s }", f, fields[f%len(fields)])
	}
	ids := make([]any, 50)
	for i := range ids {
		ids[i] = "u" + strconv.Itoa(i+1)
	}
	return b.String(), map[string]any{"ids": ids}
}
