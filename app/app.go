// Package app builds the gateway from its configuration: the downstream
// clients, the overload limiter, the edge (client addresses, trusted
// documents, authentication) and, over them, the public and the operators'
// handlers, and the store the replicas share (Redis), if any. It is the
// one place that wires the parts together; the command (package main) and
// the gateway's tests both build through New. It does not parse settings
// (package config), listen or serve.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/buildinfo"
	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/ratelog"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
	"github.com/acme/dashboard-gateway/sharedstore"
)

// Deps are what New takes besides the configuration: what the caller owns
// (the logger, metrics registry and tracing) and what tests replace.
type Deps struct {
	// Logger gets the gateway's logs; nil discards.
	Logger *slog.Logger
	// Registry gets the gateway's metrics, served at GET /metrics by the
	// admin handler; nil means no metrics at all.
	Registry *prometheus.Registry
	// Build is the running build, for the gateway_build_info metric;
	// zero means buildinfo.Read("").
	Build buildinfo.Info
	// Tracing traces requests and downstream calls; nil means off.
	Tracing *observability.Tracing
	// SDL is the schema's source, served at GET /schema.graphqls while
	// introspection is on; nil serves no SDL.
	SDL []byte
	// Dashboards, when set, replaces the dashboards built from
	// cfg.Budgets.
	Dashboards dashboard.Builder
	// Overload, when set, replaces the limiter built from
	// cfg.OverloadTarget.
	Overload *overload.Limiter
	// LogClock is the clock of cfg.LogRepeatInterval; nil means time.Now.
	LogClock func() time.Time
}

// App is the gateway built from a configuration.
type App struct {
	// Handler is the public handler: GraphQL, the REST view, probes.
	Handler http.Handler
	// Admin is the operators' handler: metrics, pprof, probes.
	Admin http.Handler
	// Introspection reports whether introspection (and the playground) is
	// on.
	Introspection bool

	limiter  *overload.Limiter
	clients  *downstream.Clients
	cache    *cache.Cache
	shared   *sharedstore.Store // nil without Redis
	draining atomic.Bool
}

// New builds the gateway from cfg, which Parse has checked; cfg.Services
// must hold every service's URL. Errors name the setting at fault. Close
// releases what it built.
func New(ctx context.Context, cfg config.Config, deps Deps) (*App, error) {
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &App{limiter: deps.Overload}
	if a.limiter == nil && cfg.OverloadTarget > 0 {
		a.limiter = overload.New(overload.Options{Target: cfg.OverloadTarget, Logger: logger})
	}
	var metrics *observability.Metrics
	if deps.Registry != nil {
		metrics = observability.NewMetrics(deps.Registry)
		build := deps.Build
		if build.Version == "" {
			build = buildinfo.Read("")
		}
		observability.RegisterBuildInfo(deps.Registry, build.Version, build.Revision, build.GoVersion)
		if a.limiter != nil {
			observability.WatchOverload(deps.Registry, a.limiter)
		}
	}
	// Warnings about a state (Redis, the response cache's store, a
	// service's breaker) repeat as long as it lasts: a few lines per
	// interval, not per request.
	warnings := logger
	if cfg.LogRepeatInterval > 0 {
		warnings = slog.New(ratelog.New(logger.Handler(), ratelog.Options{Interval: cfg.LogRepeatInterval, Now: deps.LogClock}))
	}
	var err error
	if a.shared, err = newShared(ctx, cfg, deps, warnings); err != nil {
		return nil, err
	}
	// With Redis, the answers the response cache keeps are every replica's:
	// a value kept through one is served stale by another.
	var store cache.Store = cache.NewMemory(cache.MemoryOptions{MaxBytes: cfg.CacheMaxBytes})
	if a.shared != nil {
		store = a.shared
	}
	var observer cache.Observer
	if metrics != nil { // a nil *Metrics in the interface would not be nil
		observer = metrics
	}
	a.cache = cache.New(cache.Options{Store: store, MaxEntryBytes: cfg.CacheMaxEntryBytes, Logger: warnings, Observer: observer})
	if a.clients, err = newClients(cfg, deps, warnings, metrics, a.limiter, a.cache); err != nil {
		a.closeShared()
		return nil, err
	}
	e, err := newEdge(ctx, cfg, logger)
	if err != nil {
		a.clients.Close()
		a.closeShared()
		return nil, err
	}
	dashboards := deps.Dashboards
	if dashboards == nil {
		dashboards = dashboard.New(dashboard.Options{Budgets: cfg.Budgets, RequireIdentity: e.Authenticate != nil})
	}
	a.Introspection = introspection(cfg)
	opts := gateway.Options{
		Dashboards:       dashboards,
		Clients:          a.clients,
		Logger:           logger,
		Deadline:         cfg.Deadline,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		Metrics:          metrics,
		Tracing:          deps.Tracing,
		FieldTiming:      cfg.FieldTiming,
		TraceDocument:    cfg.TraceDocument,
		GqlgenOnly:       cfg.GqlgenOnly,
		Ready:            func() bool { return !a.draining.Load() },
		Cache:            a.cache,
		AdminHosts:       cfg.AdminHosts,
		Limits:           cfg.Limits,
		MaxCost:          cfg.MaxCost,
		MaxQueryBytes:    cfg.MaxQueryBytes,
		MaxErrors:        cfg.MaxErrors,
		MaxResponseBytes: cfg.MaxResponseBytes,
		Input:            cfg.Input,
		Introspection:    a.Introspection,
		SDL:              deps.SDL,
		PlaygroundAssets: cfg.PlaygroundAssets,
		APQCacheSize:     cfg.APQCacheSize,
		APQCacheBytes:    cfg.APQCacheBytes,
		APQRegisterLimit: cfg.APQRegisterLimit,
		QueryCacheBytes:  cfg.QueryCacheBytes,
		Trusted:          e.Trusted,
		Authenticate:     e.Authenticate,
		ClientAddr:       e.ClientAddr,
		RateLimit:        cfg.RateLimit,
		SubjectRateLimit: cfg.SubjectRateLimit,
		CORSOrigins:      cfg.CORSOrigins,
		CORSLocalhost:    len(cfg.CORSOrigins) == 0 && simulated(cfg),
		Overload:         a.limiter,
	}
	if deps.Registry != nil {
		opts.Gatherer = deps.Registry
	}
	if a.shared != nil { // not a nil *Store in the interface
		opts.Shared = a.shared
		opts.SharedAPQ = gateway.SharedAPQ{TTL: cfg.Redis.APQTTL, MaxBytes: cfg.Redis.APQMaxBytes, Budget: cfg.Redis.APQBudget}
	}
	a.Handler = gateway.New(opts)
	a.Admin = gateway.Admin(opts)
	return a, nil
}

// newClients builds the downstream clients, observed by the logs and
// metrics, told when the gateway is overloaded, keeping answers in kept.
func newClients(cfg config.Config, deps Deps, logger *slog.Logger, metrics *observability.Metrics, limiter *overload.Limiter, kept *cache.Cache) (*downstream.Clients, error) {
	logs := resilience.LogObserver{Logger: logger, RequestID: requestid.FromContext}
	dcfg := downstream.Config{
		Services: cfg.Services,
		Cache:    kept,
		Observer: logs,
		Caller:   auth.Subject,
		Client:   gateway.Client,
	}
	if metrics != nil {
		dcfg.Observer, dcfg.Calls = resilience.Observers{logs, metrics}, metrics
	}
	if limiter != nil {
		dcfg.Busy = limiter.Busy
	}
	if deps.Tracing != nil {
		dcfg.TracerProvider, dcfg.Propagator = deps.Tracing.Provider, deps.Tracing.Propagator
	}
	clients, err := downstream.New(dcfg)
	if err != nil {
		return nil, err
	}
	if deps.Registry != nil {
		observability.WatchDownstream(deps.Registry, clients)
	}
	return clients, nil
}

// introspection reports whether cfg turns introspection on: "on", or
// "auto" (or empty) while any service is simulated.
func introspection(cfg config.Config) bool {
	switch cfg.Introspection {
	case "on":
		return true
	case "off":
		return false
	}
	return simulated(cfg)
}

// simulated reports whether any service is simulated (has no URL in
// cfg.URLs): the gateway then runs on a developer's machine.
func simulated(cfg config.Config) bool {
	return len(cfg.Simulated()) > 0
}

// Run adapts the overload limiter, if any, until ctx ends.
func (a *App) Run(ctx context.Context) {
	if a.limiter != nil {
		a.limiter.Run(ctx)
	}
}

// Drain turns the gateway unready (GET /readyz answers 503), so load
// balancers stop sending it requests.
func (a *App) Drain() { a.draining.Store(true) }

// Close releases the downstream clients and the connections to Redis.
func (a *App) Close() {
	a.clients.Close()
	a.closeShared()
}

// closeShared closes the connection to Redis, if any.
func (a *App) closeShared() {
	if a.shared != nil {
		_ = a.shared.Close()
	}
}
