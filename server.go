// Command dashboard-gateway serves one GraphQL API in front of six
// downstream services: a user's dashboard whose fields resolve concurrently
// under one request-wide deadline, answering with every field that arrived
// in time and a precise error for every one that did not.
//
// Services without a configured URL are simulated in-process, so `go run .`
// works out of the box.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
	"github.com/acme/dashboard-gateway/resolvers"
	"github.com/acme/dashboard-gateway/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard-gateway:", err)
		os.Exit(1)
	}
}

// exampleQuery is what the start-up log suggests trying in the playground.
const exampleQuery = `{
  dashboard(userId: "u1") {
    profile { name tier }
    orders(first: 3) { id status total { formatted } items { quantity product { name } } }
    recommendations(first: 3) { score product { name price { formatted } } }
    notifications(first: 3) { unreadCount items { title } }
    wallet { balance { formatted } loyaltyPoints }
  }
}`

// run starts the gateway and serves until ctx ends, then shuts down
// gracefully. Logs go to stderr; stdout is unused (kept for the signature
// every command of this repository shares).
func run(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)

	urls, stopSim, err := serviceURLs(cfg, logger)
	if err != nil {
		return err
	}
	defer stopSim()

	services := map[downstream.Service]downstream.ServiceConfig{}
	for s, sc := range cfg.Services {
		sc.URL = urls[s]
		services[s] = sc
		logger.Info("downstream service", "service", string(s), "url", sc.URL, "settings", sc.String())
	}
	clients, err := downstream.New(downstream.Config{
		Services: services,
		Observer: resilience.LogObserver{Logger: logger, RequestID: requestid.FromContext},
	})
	if err != nil {
		return err
	}
	defer clients.Close()
	handler := gateway.New(gateway.Options{
		Schema:       graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(resolvers.Options{Budgets: cfg.Budgets})}),
		Clients:      clients,
		Logger:       logger,
		Deadline:     cfg.Deadline,
		MaxBodyBytes: cfg.MaxBodyBytes,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on -addr %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      cfg.Deadline + 5*time.Second, // the deadline bounds the work; this bounds a slow reader
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logStartup(logger, ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	<-served
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// serviceURLs returns a base URL for every service: the configured ones, and
// for the rest the simulator's, started on loopback with the original
// aggregator's behaviour. The returned func stops the simulator.
func serviceURLs(cfg config, logger *slog.Logger) (map[downstream.Service]string, func(), error) {
	urls := map[downstream.Service]string{}
	var missing []string
	for _, s := range downstream.Services() {
		if u, ok := cfg.URLs[s]; ok {
			urls[s] = u
		} else {
			missing = append(missing, string(s))
		}
	}
	if len(missing) == 0 {
		return urls, func() {}, nil
	}
	sim := simulator.New(simulator.Options{
		Seed:           cfg.SimSeed,
		Behaviors:      simulator.Seed(),
		RequireHeaders: true,
		Logger:         logger.With("component", "simulator"),
	})
	simURLs, err := sim.Start("127.0.0.1", 0, missing...)
	if err != nil {
		sim.Close()
		return nil, nil, fmt.Errorf("start simulated services: %w", err)
	}
	for name, u := range simURLs {
		urls[downstream.Service(name)] = u
	}
	logger.Info("simulating services", "services", missing, "behaviour", "uniform 100-1000ms latency; orders fail 30%")
	return urls, sim.Close, nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func logStartup(logger *slog.Logger, addr net.Addr) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	logger.Info("listening",
		"addr", addr.String(),
		"playground", base+"/?query="+url.QueryEscape(exampleQuery),
		"graphql", base+"/query",
		"example_query", exampleQuery)
}
