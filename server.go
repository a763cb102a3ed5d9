// Command dashboard-gateway serves one GraphQL API in front of seven
// downstream services: a user's dashboard whose fields resolve concurrently
// under one request-wide deadline, answering with every field that arrived
// in time and a precise error for every one that did not.
//
// Services without a configured URL are simulated in-process, so `go run .`
// works out of the box.
package main

import (
	"context"
	_ "embed" // the schema's source
	"errors"
	"flag"
	"fmt"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/app"
	"github.com/acme/dashboard-gateway/buildinfo"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/ratelog"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/simulator"
)

// buildVersion is the release this binary is, given at link time:
// go build -ldflags "-X main.buildVersion=v1.4.0". Empty: buildinfo reads the
// commit the Go toolchain stamped.
var buildVersion string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard-gateway:", err)
		os.Exit(1)
	}
}

// schemaSDL is the public schema, served at GET /schema.graphqls when
// introspection is on.
//
//go:embed schema.graphqls
var schemaSDL []byte

// run starts the gateway and serves until ctx ends, then shuts down
// gracefully. Logs go to stderr; stdout is unused (kept for the signature
// every command of this repository shares). environ is the environment,
// as os.Environ gives it. It sets the process's GOMEMLIMIT and GOGC unless
// environ has them (setMemory).
func run(ctx context.Context, args []string, environ []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-version" || args[0] == "--version") { // not a setting: no VERSION variable
		_, err := fmt.Fprintln(stdout, buildinfo.Read(buildVersion))
		return err
	}
	getenv := lookup(environ)
	cfg, err := config.Parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := config.CheckEnviron(environ); err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	mem := setMemory(getenv, memlimit.FromCgroup)
	logger.Info("memory", "gomemlimit", mem.limit, "gomemlimit_from", mem.limitFrom, "gogc", mem.gogc, "gogc_from", mem.gogcFrom)
	if cfg.Redis.URL != "" {
		// Process-wide; its notices repeat while Redis is down.
		clientLog := logger
		if cfg.LogRepeatInterval > 0 {
			clientLog = slog.New(ratelog.New(logger.Handler(), ratelog.Options{Interval: cfg.LogRepeatInterval}))
		}
		redis.SetLogger(sharedstore.ClientLog{Logger: clientLog})
	}

	urls, stopSim, err := serviceURLs(cfg, logger)
	if err != nil {
		return err
	}
	defer stopSim()

	logConfig(logger, cfg, urls)

	build := buildinfo.Read(buildVersion)
	tracing, err := observability.TracingFromEnv(ctx, getenv,
		attribute.String("service.version", build.Version), attribute.String("service.instance.id", uuid.NewString()))
	if err != nil {
		return err
	}
	if tracing != nil {
		defer func() {
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tracing.Shutdown(flushCtx); err != nil {
				logger.Warn("flushing traces", "error", err.Error())
			}
		}()
	}
	for s, u := range urls { // every service's URL, configured or simulated
		sc := cfg.Services[s]
		sc.URL = u
		cfg.Services[s] = sc
	}
	registry := prometheus.NewRegistry()
	gw, err := app.New(ctx, cfg, app.Deps{Logger: logger, Registry: registry, Tracing: tracing, SDL: schemaSDL, Build: build})
	if err != nil {
		return err
	}
	defer gw.Close()
	go gw.Run(ctx)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on -addr %s: %w", cfg.Addr, err)
	}
	srv := gateway.NewServer(gw.Handler, cfg.Server, cfg.Deadline, logger)
	srv.RegisterOnShutdown(func() { // runs once the listener is closed
		logger.Info("listener closed; waiting for requests in flight")
	})
	servers := []*http.Server{srv}
	served := make(chan error, 2)
	if cfg.AdminAddr != "off" {
		adminLn, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on -admin-addr %s: %w", cfg.AdminAddr, err)
		}
		admin := gateway.NewAdminServer(gw.Admin, logger)
		servers = append(servers, admin)
		go func() { served <- fmt.Errorf("serve -admin-addr: %w", admin.Serve(adminLn)) }()
		logger.Info("admin listening", "addr", adminLn.Addr().String(), "metrics", "/metrics", "pprof", "/debug/pprof/")
	} else {
		logger.Warn("no admin listener (-admin-addr off): no /metrics, no pprof")
	}
	go func() { served <- fmt.Errorf("serve -addr: %w", srv.Serve(ln)) }()
	logStartup(logger, ln.Addr(), gw.Introspection)

	select {
	case err := <-served:
		closeAll(servers, served)
		return err
	case <-ctx.Done():
	}
	// Drain: unready at once, so load balancers stop sending; after the
	// delay, stop accepting connections and let requests in flight finish.
	// The admin listener serves until the public one is done, so the drain
	// can be watched in the metrics.
	gw.Drain()
	logger.Info("draining", "delay", cfg.ShutdownDelay.String(), "grace", cfg.ShutdownGrace.String())
	if cfg.ShutdownDelay > 0 {
		t := time.NewTimer(cfg.ShutdownDelay)
		select {
		case <-t.C:
		case err := <-served:
			t.Stop()
			closeAll(servers, served)
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	for _, other := range servers[1:] {
		// A profile still being taken does not hold the exit past the grace.
		if err := other.Shutdown(shutdownCtx); err != nil {
			logger.Warn("admin listener: requests still in flight after -shutdown-grace; closed", "error", err.Error())
			other.Close()
		}
	}
	for range servers {
		<-served
	}
	if err != nil {
		return fmt.Errorf("shutdown: requests still in flight after -shutdown-grace %v: %w", cfg.ShutdownGrace, err)
	}
	logger.Info("stopped")
	return nil
}

// closeAll closes every server after one stopped serving (whose error was
// received from served) and waits for the others to stop.
func closeAll(servers []*http.Server, served <-chan error) {
	for _, s := range servers {
		s.Close()
	}
	for range len(servers) - 1 {
		<-served
	}
}

// serviceURLs returns a base URL for every service: the configured ones, and
// for the rest the simulator's, started on loopback with the original
// aggregator's behaviour. The returned func stops the simulator.
func serviceURLs(cfg config.Config, logger *slog.Logger) (map[downstream.Service]string, func(), error) {
	urls := make(map[downstream.Service]string)
	maps.Copy(urls, cfg.URLs)
	var missing []string
	for _, s := range cfg.Simulated() {
		missing = append(missing, string(s))
	}
	if len(missing) == 0 {
		return urls, func() {}, nil
	}
	behaviors, ok := simulator.Preset(cfg.Simulation)
	if !ok { // config.Parse checked it
		return nil, nil, fmt.Errorf("-simulation %q: no such simulation", cfg.Simulation)
	}
	sim := simulator.New(simulator.Options{
		Seed:           cfg.SimSeed,
		Behaviors:      behaviors,
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
	level := slog.LevelInfo
	if len(cfg.URLs) > 0 { // real and simulated services side by side: -simulate said so, still worth a look
		level = slog.LevelWarn
	}
	logger.Log(context.Background(), level, "simulating services", "services", missing, "simulation", cfg.Simulation, "sim_seed", cfg.SimSeed,
		"behaviour", simulationHint(cfg.Simulation))
	return urls, sim.Close, nil
}

// simulationHint says what a simulation shows, for the start-up log.
func simulationHint(name string) string {
	switch name {
	case "seed":
		return "100ms..1s each, orders fails 30% of its calls: most answers are partial, with null fields and precise errors (-simulation healthy for none)"
	case "healthy":
		return "no latency, no faults"
	case "longtail":
		return "15..25ms, 2% of the calls take 800ms"
	case "chaotic":
		return "every kind of fault on a share of each service's calls"
	}
	return ""
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// logStartup logs the public address, and the playground while
// introspection serves it.
func logStartup(logger *slog.Logger, addr net.Addr, playground bool) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	attrs := []any{"addr", addr.String(), "graphql", base + "/query"}
	if playground {
		attrs = append(attrs, "playground", base+"/") // GraphiQL opens with the example query
	}
	logger.Info("listening", attrs...)
}

// logConfig logs the effective configuration, with any credentials in
// service URLs redacted.
func logConfig(logger *slog.Logger, cfg config.Config, urls map[downstream.Service]string) {
	budgets := make([]string, 0, len(cfg.Budgets))
	for f, d := range cfg.Budgets {
		budgets = append(budgets, f+"="+d.String())
	}
	slices.Sort(budgets)
	logger.Info("config",
		"addr", cfg.Addr,
		"deadline", cfg.Deadline.String(),
		"max_body_bytes", cfg.MaxBodyBytes,
		"shutdown_grace", cfg.ShutdownGrace.String(),
		"shutdown_delay", cfg.ShutdownDelay.String(),
		"field_timing", cfg.FieldTiming,
		"log_format", cfg.LogFormat,
		"log_level", cfg.LogLevel.String(),
		"optional_fields", strings.Join(budgets, ","),
		"introspection", cfg.Introspection,
		"limits", fmt.Sprintf("depth=%d,aliases=%d,root-fields=%d,fields=%d,spreads=%d,selections=%d,operations=%d,fragments=%d,variables=%d,nodes=%d,repeats=%d,deferred=%d,cost=%d,query-bytes=%d,errors=%d,response-bytes=%d,variables-bytes=%d,extensions-bytes=%d,json-values=%d,json-depth=%d",
			cfg.Limits.MaxDepth, cfg.Limits.MaxAliases, cfg.Limits.MaxRootFields, cfg.Limits.MaxFields, cfg.Limits.MaxSpreads,
			cfg.Limits.MaxSelections, cfg.Limits.MaxOperations, cfg.Limits.MaxFragments, cfg.Limits.MaxVariables, cfg.Limits.MaxNodes, cfg.Limits.MaxRepeats, cfg.Limits.MaxDeferred,
			cfg.MaxCost, cfg.MaxQueryBytes, cfg.MaxErrors, cfg.MaxResponseBytes, cfg.Input.MaxVariablesBytes, cfg.Input.MaxExtensionsBytes, cfg.Input.MaxJSONValues, cfg.Input.MaxJSONDepth),
		"apq_cache_size", cfg.APQCacheSize,
		"apq_cache_bytes", cfg.APQCacheBytes,
		"query_cache_bytes", cfg.QueryCacheBytes,
		"trusted_documents", cfg.TrustedDocuments,
		"auth", authMode(cfg.Auth),
		"rate_limit", rateMode(cfg.RateLimit),
		"subject_rate_limit", rateMode(cfg.SubjectRateLimit),
		"client_address", clientAddrMode(cfg),
		"admin_addr", cfg.AdminAddr,
		"admin_hosts", strings.Join(cfg.AdminHosts, ","),
		"cors_origins", corsMode(cfg))
	for _, s := range downstream.Services() {
		logger.Info("downstream service", "service", string(s), "url", redactURL(urls[s]), "settings", cfg.Services[s].String())
	}
}

// corsMode describes the origins browsers may call from.
func corsMode(cfg config.Config) string {
	switch {
	case len(cfg.CORSOrigins) > 0:
		return strings.Join(cfg.CORSOrigins, ",")
	case len(cfg.Simulated()) > 0:
		return "localhost origins (services simulated)"
	}
	return "same origin only"
}

// rateMode describes a rate limit.
func rateMode(rl gateway.RateLimit) string {
	if rl.Requests <= 0 {
		return "off"
	}
	return fmt.Sprintf("%d/%s", rl.Requests, rl.Window)
}

// clientAddrMode describes where client addresses come from.
func clientAddrMode(cfg config.Config) string {
	if cfg.ClientIPHeader == "" {
		return "the connection"
	}
	ranges := make([]string, len(cfg.TrustedProxies))
	for i, p := range cfg.TrustedProxies {
		ranges[i] = p.String()
	}
	return cfg.ClientIPHeader + " from proxies in " + strings.Join(ranges, ",")
}

// redactURL hides the password of a URL's user info.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

// authMode describes the authentication settings without the secret.
func authMode(a config.Auth) string {
	switch {
	case a.SecretFile != "":
		return "HS256 (secret from -auth-secret-file, redacted)"
	case a.Secret != "":
		return "HS256 (secret redacted)"
	case a.JWKSURL != "":
		return "JWKS " + redactURL(a.JWKSURL)
	}
	return "off"
}

// lookup is os.Getenv over environ ("NAME=value" entries; the last of a
// name wins, as in os.Getenv).
func lookup(environ []string) func(string) string {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return func(k string) string { return vars[k] }
}
