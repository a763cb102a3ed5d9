// Package gatewaytest serves the gateway, built by app.New as `go run .`
// builds it, over loopback HTTP in front of simulated services, for the
// example clients' tests. It is for tests only: the simulated services
// answer at once, so partial answers are deterministic.
package gatewaytest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/acme/dashboard-gateway/app"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/simulator"
)

// Options are what a test changes in the default configuration.
type Options struct {
	// Failing names the simulated services (simulator.Orders, ...) that
	// answer 500 to every call; the others are healthy. Default: none.
	Failing []string
	// TrustedDocuments is the path of a persisted-documents manifest: only
	// its operations run (-trusted-documents). Default: off.
	TrustedDocuments string
}

// Start serves a gateway for the rest of the test and returns its GraphQL
// endpoint's URL (http://127.0.0.1:port/query). Everything it started
// stops when the test ends.
func Start(tb testing.TB, o Options) string {
	tb.Helper()
	behaviors := map[string]simulator.Behavior{}
	for _, s := range o.Failing {
		behaviors[s] = simulator.Behavior{Fault: simulator.FaultStatus500}
	}
	sim := simulator.New(simulator.Options{Seed: 1, Behaviors: behaviors, RequireHeaders: true})
	tb.Cleanup(sim.Close)
	urls, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatalf("start the simulated services: %v", err)
	}
	cfg := config.Default()
	cfg.OverloadTarget = 0 // a busy test machine must not shed the tests' requests
	cfg.TrustedDocuments = o.TrustedDocuments
	for name, u := range urls {
		s := downstream.Service(name)
		sc := cfg.Services[s]
		sc.URL = u
		cfg.Services[s] = sc
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	gw, err := app.New(ctx, cfg, app.Deps{})
	if err != nil {
		tb.Fatalf("build the gateway: %v", err)
	}
	tb.Cleanup(gw.Close)
	srv := httptest.NewUnstartedServer(gw.Handler)
	srv.Config = gateway.NewServer(gw.Handler, cfg.Server, cfg.Deadline, slog.New(slog.DiscardHandler))
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv.URL + "/query"
}
