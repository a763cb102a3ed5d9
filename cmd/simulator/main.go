// Command simulator runs the simulated downstream services standalone,
// so the gateway (or curl) can be pointed at them. It prints one
// NAME_URL=... line per service on stdout, usable as environment for the
// gateway, logs to stderr, and stops on SIGINT or SIGTERM.
//
// Every flag can also come from the environment variable named SIM_ and the
// flag in upper case with - replaced by _ (SIM_BASE_PORT for -base-port);
// the flag wins. Run with -h for the flags.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/acme/dashboard-gateway/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
}

// run serves the simulated services until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg == nil { // -h
		return nil
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	sim := simulator.New(simulator.Options{
		Seed:           cfg.seed,
		Behaviors:      cfg.behaviors,
		RequireHeaders: cfg.requireHeaders,
		Logger:         logger,
	})
	defer sim.Close()
	urls, err := sim.Start(cfg.host, cfg.basePort)
	if err != nil {
		return err
	}
	for _, svc := range simulator.Services() {
		fmt.Fprintf(stdout, "%s_URL=%s\n", strings.ToUpper(svc), urls[svc])
	}
	for _, svc := range simulator.Services() {
		logger.Info("behavior", "service", svc, "spec", cfg.behaviors[svc].String())
	}
	logger.Info("simulator ready; stop with SIGINT or SIGTERM", "preset", cfg.preset, "seed", cfg.seed)

	<-ctx.Done()
	logger.Info("simulator stopping")
	sim.Close()
	return nil
}
