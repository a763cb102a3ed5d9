package resolvers_test

import (
	"io"
	"log/slog"
	"regexp"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/downstream/downstreamtest"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/resolvers"
	"github.com/acme/dashboard-gateway/simulator"
)

// gqlClient runs the resolvers on gqlgen's executor, with only the loaders
// and the error presenter around them (none of the gateway's limits),
// against the simulator over HTTP, its services behaving as behaviors says.
func gqlClient(tb testing.TB, behaviors map[string]simulator.Behavior) (*client.Client, *simulator.Simulator) {
	tb.Helper()
	sim := simulator.New(simulator.Options{Record: true, Behaviors: behaviors})
	clients := downstreamtest.Start(tb, sim, downstream.ServiceConfig{})
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(dashboard.New(dashboard.Options{}))}))
	srv.AddTransport(transport.POST{})
	srv.SetErrorPresenter(apierror.Presenter(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv.Use(loaders.Extension{Clients: clients})
	return client.New(srv), sim
}

var rootError = regexp.MustCompile(`"message":"(userId must be|dashboards takes at most)[^"]*","path":\["dashboards?"\]`)

// The resolvers check the ids they receive, as gqlgen coerced them, on
// their own: without the gateway's limits in front, a bad id still never
// reaches a service.
func TestResolversCheckTheIDsTheyReceive(t *testing.T) {
	c, sim := gqlClient(t, nil)
	many := make([]string, 51)
	for i := range many {
		many[i] = "u1"
	}
	tests := []struct {
		name  string
		query string
		opts  []client.Option
	}{
		{"single literal", `{ dashboards(userIds: "..") { wallet { loyaltyPoints } } }`, nil},
		{"single variable", `query($ids: [ID!]!) { dashboards(userIds: $ids) { orders { id } } }`, []client.Option{client.Var("ids", "../wallet")}},
		{"joined ids", `query($ids: [ID!]!) { dashboards(userIds: $ids) { profile { name } } }`, []client.Option{client.Var("ids", "u1,u2")}},
		{"51 ids", `query($ids: [ID!]!) { dashboards(userIds: $ids) { wallet { loyaltyPoints } } }`, []client.Option{client.Var("ids", many)}},
		{"one dashboard", `{ dashboard(userId: "..%2Fadmin") { wallet { loyaltyPoints } } }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp map[string]any
			err := c.Post(tt.query, &resp, tt.opts...)
			// The error is the root field's own, not one of the services'.
			if err == nil || !rootError.MatchString(err.Error()) {
				t.Fatalf("error %v; want the root field refused for its ids", err)
			}
			for _, s := range simulator.Services() {
				if n := sim.Stats(s).Calls; n != 0 {
					t.Errorf("%d calls to %s; want none", n, s)
				}
			}
		})
	}
}
