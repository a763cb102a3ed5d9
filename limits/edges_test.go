package limits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/apierror"
)

// generous is a Document whose every limit is far away, for a test to
// bring one of them back to its default.
func generous() Document {
	const far = 1 << 30
	return Document{MaxQueryBytes: far, MaxTokens: far, Limits: Limits{
		MaxDepth: far, MaxAliases: far, MaxRootFields: far, MaxFields: far, MaxSpreads: far,
		MaxSelections: far, MaxOperations: far, MaxFragments: far, MaxNodes: far, MaxVariables: far, MaxRepeats: far,
	}}
}

// nested is n fields, each inside the one before.
func nested(n int) string {
	return "{" + strings.Repeat(" a {", n-1) + " a" + strings.Repeat(" }", n)
}

// Each document limit at its default: a document measuring exactly the
// limit is accepted, one measuring one more is refused with the limit's
// reason.
func TestDocumentLimitsAtTheirEdge(t *testing.T) {
	tests := []struct {
		reason string
		limit  int
		// unset brings the limit back to its default.
		unset func(*Document)
		// document measures n.
		document func(n int) string
		// measured is what the limit bounds (nil: checked another way).
		measured func(measures) int64
	}{
		{ReasonQueryLength, DefaultMaxQueryBytes, func(d *Document) { d.MaxQueryBytes = 0 },
			func(n int) string { return "{ __typename" + strings.Repeat(" ", n-13) + "}" }, nil},
		{ReasonTokens, DefaultMaxTokens, func(d *Document) { d.MaxTokens = 0 },
			func(n int) string { return "{ " + nTimes("a", n-2) + "}" }, nil},
		{ReasonOperations, DefaultMaxOperations, func(d *Document) { d.Limits.MaxOperations = 0 },
			func(n int) string {
				return repeat(n, func(i int) string { return fmt.Sprintf("query Q%d { __typename }", i) })
			},
			func(m measures) int64 { return int64(m.Operations) }},
		{ReasonFragments, DefaultMaxFragments, func(d *Document) { d.Limits.MaxFragments = 0 },
			func(n int) string {
				return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "} " +
					repeat(n, func(i int) string { return fmt.Sprintf("fragment F%d on Query { __typename }", i) })
			},
			func(m measures) int64 { return int64(m.Fragments) }},
		{ReasonSelections, DefaultMaxSelections, func(d *Document) { d.Limits.MaxSelections = 0 },
			func(n int) string { return "{ " + nTimes("__typename", n) + "}" },
			func(m measures) int64 { return int64(m.Selections) }},
		{ReasonVariables, DefaultMaxVariables, func(d *Document) { d.Limits.MaxVariables = 0 },
			func(n int) string {
				return "query(" + repeat(n, func(i int) string { return fmt.Sprintf("$v%d: ID", i) }) + ") { __typename }"
			},
			func(m measures) int64 { return int64(m.Variables) }},
		{ReasonFields, DefaultMaxFields, func(d *Document) { d.Limits.MaxFields = 0 },
			func(n int) string { return "{ a { " + nTimes("__typename", n-1) + "} }" },
			func(m measures) int64 { return m.Fields }},
		{ReasonSpreads, DefaultMaxSpreads, func(d *Document) { d.Limits.MaxSpreads = 0 },
			func(n int) string { return "{ " + nTimes("... { __typename }", n) + "}" },
			func(m measures) int64 { return m.Spreads }},
		{ReasonDepth, DefaultMaxDepth, func(d *Document) { d.Limits.MaxDepth = 0 },
			nested, func(m measures) int64 { return int64(m.Depth) }},
		{ReasonAliases, DefaultMaxAliases, func(d *Document) { d.Limits.MaxAliases = 0 },
			func(n int) string {
				return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + "}"
			},
			func(m measures) int64 { return m.Aliases }},
		{ReasonRootFields, DefaultMaxRootFields, func(d *Document) { d.Limits.MaxRootFields = 0 },
			func(n int) string { return "{ " + nTimes("__typename", n) + "}" },
			func(m measures) int64 { return m.RootFields }},
		{ReasonNodes, DefaultMaxNodes, func(d *Document) { d.Limits.MaxNodes = 0 },
			func(n int) string { return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d", i) }) + "}" },
			func(m measures) int64 { return m.Nodes }},
		// n pairs of fields sharing a name: n repeats.
		{ReasonRepeats, DefaultMaxRepeats, func(d *Document) { d.Limits.MaxRepeats = 0 },
			func(n int) string {
				return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d a%d", i, i) }) + "}"
			},
			func(m measures) int64 { return m.Repeats }},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			d := generous()
			tt.unset(&d)
			for _, n := range []int{tt.limit, tt.limit + 1} {
				query := tt.document(n)
				switch {
				case tt.reason == ReasonQueryLength && len(query) != n:
					t.Fatalf("document of %d bytes; want %d", len(query), n)
				case tt.reason == ReasonTokens && tokens(t, query) != n:
					t.Fatalf("document of %d tokens; want %d", tokens(t, query), n)
				}
				m, err := d.check(context.Background(), query)
				if tt.measured != nil && err == nil && tt.measured(m) != int64(n) {
					t.Fatalf("document measures %d (%v); want %d", tt.measured(m), m, n)
				}
				want := ""
				if n > tt.limit {
					want = tt.reason
				}
				if got := reasonOf(err); got != want {
					t.Errorf("at %d (limit %d): got %q (%v); want %q", n, tt.limit, got, err, want)
				}
			}
		})
	}
}

// ids is a list of n ids as a GraphQL literal.
func ids(n int) string {
	return "[" + repeat(n, func(i int) string { return fmt.Sprintf(`"u%d"`, i) }) + "]"
}

// Each operation limit at its edge: the contract's arguments (refused with
// BAD_USER_INPUT) and the cost (LIMIT_EXCEEDED cost).
func TestOperationLimitsAtTheirEdge(t *testing.T) {
	fullCost := int(costOf(t, fullQuery, nil))
	longID := strings.Repeat("x", 64)
	tests := []struct {
		name    string
		maxCost int
		query   string
		want    string // "" accepted, else the code or LIMIT_EXCEEDED reason
	}{
		{"cost at the limit", fullCost, fullQuery, ""},
		{"cost one over", fullCost - 1, fullQuery, ReasonCost},
		{"cost under the default", 0, fullQuery, ""},
		{"userIds at the limit", 0, "{ dashboards(userIds: " + ids(MaxUserIDs) + ") { userId } }", ""},
		{"userIds one over", 0, "{ dashboards(userIds: " + ids(MaxUserIDs+1) + ") { userId } }", string(apierror.BadUserInput)},
		{"first at the limit", 0, fmt.Sprintf(`{ dashboard(userId: "u1") { orders(first: %d) { id } } }`, MaxFirst), ""},
		{"first one over", 0, fmt.Sprintf(`{ dashboard(userId: "u1") { orders(first: %d) { id } } }`, MaxFirst+1), string(apierror.BadUserInput)},
		{"first at zero", 0, `{ dashboard(userId: "u1") { notifications(first: 0) { unreadCount } } }`, ""},
		{"first one under zero", 0, `{ dashboard(userId: "u1") { recommendations(first: -1) { score } } }`, string(apierror.BadUserInput)},
		{"userId of 64 characters", 0, `{ dashboard(userId: "` + longID + `") { userId } }`, ""},
		{"userId of 65 characters", 0, `{ dashboard(userId: "` + longID + `x") { userId } }`, string(apierror.BadUserInput)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Operation{MaxCost: tt.maxCost}.MutateOperationContext(context.Background(), opContext(validated(t, tt.query)))
			got := reasonOf(err)
			if e, ok := errors.AsType[*apierror.Error](err); ok && e.Code != apierror.LimitExceeded {
				got = string(e.Code)
			}
			if got != tt.want {
				t.Errorf("MaxCost %d: got %q (%v); want %q", tt.maxCost, got, err, tt.want)
			}
		})
	}
}
