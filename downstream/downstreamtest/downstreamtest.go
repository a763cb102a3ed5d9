// Package downstreamtest puts downstream clients in front of simulated
// services served over loopback HTTP, for the tests of the packages that
// call the services through them (dashboard, resolvers, fastpath). It is
// for tests only; the gateway's own tests build whole gateways instead
// (package app).
package downstreamtest

import (
	"testing"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

// Start serves every one of sim's services on 127.0.0.1 and returns clients of them,
// each service configured as sc says with its URL set to sim's. The
// clients, then sim, close when tb's test ends.
func Start(tb testing.TB, sim *simulator.Simulator, sc downstream.ServiceConfig) *downstream.Clients {
	tb.Helper()
	return StartConfig(tb, sim, downstream.Config{}, sc)
}

// StartConfig is Start with the rest of the clients' configuration (a
// cache, a caller) from cfg, whose Services it replaces.
func StartConfig(tb testing.TB, sim *simulator.Simulator, cfg downstream.Config, sc downstream.ServiceConfig) *downstream.Clients {
	tb.Helper()
	urls, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatalf("start the simulator: %v", err)
	}
	tb.Cleanup(sim.Close)
	cfg.Services = make(map[downstream.Service]downstream.ServiceConfig, len(urls))
	for name, url := range urls {
		sc.URL = url
		cfg.Services[downstream.Service(name)] = sc
	}
	clients, err := downstream.New(cfg)
	if err != nil {
		tb.Fatalf("downstream clients: %v", err)
	}
	tb.Cleanup(clients.Close)
	return clients
}
