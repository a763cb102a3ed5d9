package acceptance_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// Only selected fields cause downstream calls, one per service.
func TestFieldSelection(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  map[string]int
	}{
		{"no downstream field", `{ dashboard(userId: "u1") { userId } }`, map[string]int{}},
		{"profile name", `{ dashboard(userId: "u1") { profile { name } } }`, map[string]int{"profile": 1}},
		{"wallet", `{ dashboard(userId: "u1") { wallet { loyaltyPoints } } }`, map[string]int{"wallet": 1}},
		{"orders without products", `{ dashboard(userId: "u1") { orders { id items { quantity } } } }`, map[string]int{"orders": 1}},
		{"orders with products", `{ dashboard(userId: "u1") { orders { items { product { name } } } } }`, map[string]int{"orders": 1, "catalog": 1}},
		{"recommendations without products", `{ dashboard(userId: "u1") { recommendations { score } } }`, map[string]int{"recommendations": 1}},
		{"products in a fragment", `{ dashboard(userId: "u1") { recommendations { ...R } } } fragment R on Recommendation { product { name } }`,
			map[string]int{"recommendations": 1, "catalog": 1}},
		{"products skipped", `{ dashboard(userId: "u1") { recommendations { score product @skip(if: true) { name } } } }`,
			map[string]int{"recommendations": 1}},
		{"notifications", `{ dashboard(userId: "u1") { notifications { unreadCount } } }`, map[string]int{"notifications": 1}},
	}
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			r := e.Post(t, tt.query, map[string]any{"id": "u1"})
			if len(r.GQL.Errors) > 0 {
				t.Fatalf("errors %+v", r.GQL.Errors)
			}
			if got := e.CallCounts(); !maps.Equal(got, tt.want) {
				t.Errorf("calls %v; want %v", got, tt.want)
			}
		})
	}
}

// Products that become known together go in one catalog call of at most 100
// ids; profiles of many dashboards go in one batch call.
func TestBatching(t *testing.T) {
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i+1)
	}
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Post(t, `query($ids: [ID!]!) { dashboards(userIds: $ids) {
		profile { name }
		orders { items { product { name } } }
		recommendations { product { name } }
	} }`, map[string]any{"ids": ids})
	if len(r.GQL.Errors) > 0 {
		t.Fatalf("errors %+v", r.GQL.Errors)
	}

	profileCalls := e.Sim.Calls(simulator.Profile)
	if len(profileCalls) != 1 || len(profileCalls[0].IDs) != 20 {
		t.Errorf("profile calls %d (first with %d ids); want 1 with 20 ids", len(profileCalls), idsOfFirst(profileCalls))
	}

	// What the gateway had to look up: the products of every list.
	lists, products := 0, map[string]bool{}
	for _, id := range ids {
		orders := simulator.OrdersOf(id)
		if len(orders) > 10 {
			orders = orders[:10]
		}
		if len(orders) > 0 {
			lists++
		}
		for _, o := range orders {
			for _, it := range o.Items {
				products[it.ProductID] = true
			}
		}
		for _, rec := range simulator.RecommendationsOf(id)[:10] {
			products[rec.ProductID] = true
		}
		lists++ // every existing user has recommendations
	}
	catalogCalls := e.Sim.Calls(simulator.Catalog)
	asked := map[string]bool{}
	for i, c := range catalogCalls {
		if len(c.IDs) > 100 {
			t.Errorf("catalog call %d has %d ids; want at most 100", i, len(c.IDs))
		}
		for _, id := range c.IDs {
			if asked[id] {
				t.Errorf("product %s asked twice", id)
			}
			asked[id] = true
		}
	}
	if len(asked) != len(products) {
		t.Errorf("catalog was asked for %d products; want the %d distinct ones", len(asked), len(products))
	}
	if len(catalogCalls) > lists || len(catalogCalls)*5 > len(products) {
		t.Errorf("%d catalog calls for %d products in %d lists; want at most one per list and far fewer than products",
			len(catalogCalls), len(products), lists)
	}
	t.Logf("%d products in %d lists: %d catalog calls", len(products), lists, len(catalogCalls))
}

func idsOfFirst(calls []simulator.Call) int {
	if len(calls) == 0 {
		return 0
	}
	return len(calls[0].IDs)
}

// Identical per-user calls within a request are made once.
func TestDeduplication(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  map[string]int
	}{
		{"two aliases of one dashboard", `{
			a: dashboard(userId: "u1") { profile { name } orders { id } recommendations { score } notifications { unreadCount } wallet { loyaltyPoints } }
			b: dashboard(userId: "u1") { profile { tier } orders { status } recommendations { reason } notifications { items { id } } wallet { balance { formatted } } }
		}`, map[string]int{"profile": 1, "orders": 1, "recommendations": 1, "notifications": 1, "wallet": 1}},
		{"repeated ids", `{ dashboards(userIds: ["u1", "u2", "u1", "u2"]) { orders { id } wallet { loyaltyPoints } } }`,
			map[string]int{"orders": 2, "wallet": 2}},
		{"different arguments are different calls", `{ dashboard(userId: "u1") { a: orders(first: 2) { id } b: orders(first: 3) { id } c: orders(first: 2) { status } } }`,
			map[string]int{"orders": 2}},
		{"one product in many places", `{ a: dashboard(userId: "u1") { orders { items { product { name } } } } b: dashboard(userId: "u1") { orders { items { product { id } } } } }`,
			map[string]int{"orders": 1, "catalog": 1}},
	}
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			r := e.Post(t, tt.query, nil)
			if len(r.GQL.Errors) > 0 {
				t.Fatalf("errors %+v", r.GQL.Errors)
			}
			if got := e.CallCounts(); !maps.Equal(got, tt.want) {
				t.Errorf("calls %v; want %v", got, tt.want)
			}
		})
	}
}

// The lists' arguments in a query, aliased ones included, reach the
// services' calls; `first: 0` is an empty list on the wire, not null. What
// each value returns (defaults, limits, unreadOnly's filter) is tested
// beside the code (package dashboard).
func TestListArguments(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Post(t, `{ dashboard(userId: "u1") {
		orders(first: 3) { id }
		none: orders(first: 0) { id }
		recommendations(first: 50) { score }
		notifications(first: 5, unreadOnly: true) { unreadCount }
	} }`, nil)
	if len(r.GQL.Errors) > 0 {
		t.Fatalf("errors %+v", r.GQL.Errors)
	}
	var data struct {
		Dashboard struct{ None []struct{ ID string } }
	}
	gatewaytest.Decode(t, r.GQL.Data, &data)
	if data.Dashboard.None == nil || len(data.Dashboard.None) != 0 {
		t.Errorf("orders(first: 0) = %+v; want []", data.Dashboard.None)
	}
	want := map[string][]string{
		simulator.Orders:          {"limit=0", "limit=3"},
		simulator.Recommendations: {"limit=50"},
		simulator.Notifications:   {"limit=5&unreadOnly=true"},
	}
	for service, queries := range want {
		var got []string
		for _, c := range e.Sim.Calls(service) {
			got = append(got, c.Query.Encode())
		}
		slices.Sort(got)
		if !slices.Equal(got, queries) {
			t.Errorf("%s calls %q; want %q", service, got, queries)
		}
	}
}
