package resolvers_test

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"

	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/resolvers"
)

func cost(tb testing.TB, query string) int {
	tb.Helper()
	es := graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(resolvers.Options{}), Complexity: resolvers.Complexity()})
	doc, err := gqlparser.LoadQuery(es.Schema(), query)
	if err != nil {
		tb.Fatal(err)
	}
	return complexity.Calculate(context.Background(), es, doc.Operations[0], map[string]any{})
}

func TestComplexity(t *testing.T) {
	const full = `{ dashboard(userId: "u1") {
		userId
		profile { id name email avatarUrl tier memberSince }
		orders { id status placedAt total { amountMinor currency formatted }
			items { quantity unitPrice { amountMinor currency formatted } product { id name price { amountMinor currency formatted } imageUrl inStock } } }
		recommendations { score reason product { id name price { amountMinor currency formatted } imageUrl inStock } }
		notifications { unreadCount items { id kind title createdAt read } }
		wallet { balance { amountMinor currency formatted } loyaltyPoints }
	} }`
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"one field", `{ dashboard(userId: "u1") { userId } }`, 2},
		{"profile", `{ dashboard(userId: "u1") { profile { name } } }`, 3},
		{"orders multiply by first", `{ dashboard(userId: "u1") { orders(first: 3) { id } } }`, 1 + 1 + 3*1},
		{"dashboards multiply by ids", `{ dashboards(userIds: ["u1", "u2"]) { profile { name } } }`, 1 + 2*(1+1)},
		{"the full contract query", full, 838},
	}
	for _, tt := range tests {
		if got := cost(t, tt.query); got != tt.want {
			t.Errorf("%s: cost %d; want %d", tt.name, got, tt.want)
		}
	}
}
