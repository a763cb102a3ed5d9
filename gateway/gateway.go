// Package gateway is the gateway's HTTP face: every public route and
// middleware in one function (New), the operators' routes in another
// (Admin), the GraphQL executor and how it is reached over HTTP, and the
// seed-compatible REST view. It wires the parts together; the
// deadline, error mapping, loaders and downstream calls live in their own
// packages.
package gateway

import (
	"cmp"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/playground"
	"github.com/acme/dashboard-gateway/requestid"
)

// Defaults of Options (zero fields take them), but DefaultAPQCacheSize:
// APQCacheSize's zero turns APQ off, and DefaultAPQCacheSize is the
// command's default (-apq-cache-size).
const (
	DefaultDeadline      = 1500 * time.Millisecond
	DefaultMaxBodyBytes  = 256 << 10
	DefaultMaxQueryBytes = limits.DefaultMaxQueryBytes
	DefaultMaxErrors     = apierror.DefaultMaxErrors
	// DefaultMaxResponseBytes is several times the largest answer the
	// default limits let through (docs/security.md#answer-size).
	DefaultMaxResponseBytes = 4 << 20
	DefaultMaxTokens        = limits.DefaultMaxTokens
	// DefaultMaxCost lets dashboards of 50 users with the whole contract
	// query at the default page size through (838 each), not much more.
	DefaultMaxCost      = limits.DefaultMaxCost
	DefaultAPQCacheSize = 1000
	// DefaultQueryCacheBytes holds about 800 parsed documents of the
	// contract's dashboard query (20 KB each, parsed), or 14 of the largest
	// the default limits let through (1.2 MB): what a 256 MiB pod can
	// spare (docs/operating.md#memory).
	DefaultQueryCacheBytes = 16 << 20
	// DefaultAPQCacheBytes holds 1,000 queries of 4 KB, or 200 of the
	// longest the default -max-query-bytes allows.
	DefaultAPQCacheBytes = 4 << 20
)

// Options configure the gateway's handler.
type Options struct {
	// Dashboards builds the dashboards (dashboard.Service). Required.
	Dashboards dashboard.Builder
	// Clients reach the downstream services. Required.
	Clients *downstream.Clients
	// Logger gets the failures and their causes. Nil discards.
	Logger *slog.Logger
	// Deadline is every request's deadline; X-Timeout-Ms can only shorten it.
	// Default 1.5s (DefaultDeadline).
	Deadline time.Duration
	// MaxBodyBytes caps a request body. Default 256 KiB (DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// LoaderWait is how long batches collect keys; zero means loaders.DefaultWait (1 ms).
	LoaderWait time.Duration

	// Metrics records requests, errors and calls; nil records nothing.
	Metrics *observability.Metrics
	// Gatherer is served at GET /metrics by Admin (never by New: metrics
	// are for operators); nil serves no /metrics.
	Gatherer prometheus.Gatherer
	// Tracing traces requests, operations and downstream-backed fields and
	// honours a client's traceparent; nil means tracing is off.
	Tracing *observability.Tracing
	// FieldTiming lets clients ask for per-field timings in extensions.
	FieldTiming bool
	// TraceDocument puts each operation's document on its span
	// (graphql.document), with tracing on.
	TraceDocument bool
	// GqlgenOnly runs every operation on gqlgen's executor, none on the
	// fast path.
	GqlgenOnly bool
	// Overload admits GraphQL requests under its adaptive concurrency limit
	// and sheds the rest with 503 (package overload); nil admits all.
	Overload *overload.Limiter
	// Ready reports whether the process takes traffic (GET /readyz, on New's
	// handler and Admin's); nil means always.
	Ready func() bool
	// AdminHosts are the host names, besides IP addresses and localhost,
	// that Admin answers to (the Host header, port aside), each as
	// CheckAdminHost accepts it; others are refused with 421. Default:
	// none.
	AdminHosts []string
	// Cache is the downstream answers' cache (package cache), whose
	// entries Admin lets operators invalidate per user; nil serves no
	// invalidation route.
	Cache Invalidator

	// Limits bound a document and its operations before validation (zero
	// fields: their defaults).
	Limits limits.Limits
	// MaxCost bounds an operation's cost (limits.Cost). Default 50,000
	// (DefaultMaxCost, filled in by limits.Operation).
	MaxCost int
	// MaxQueryBytes caps a query's length. Default 20,000
	// (DefaultMaxQueryBytes).
	MaxQueryBytes int
	// MaxErrors caps the errors of an answer (apierror.ErrorLimit).
	// Default 100 (DefaultMaxErrors).
	MaxErrors int
	// MaxResponseBytes caps the size of an answer, in bytes
	// (graphqlhttp.Handler). Default 4 MiB (DefaultMaxResponseBytes).
	MaxResponseBytes int
	// MaxTokens caps the tokens the parser reads. Default 5,000
	// (DefaultMaxTokens).
	MaxTokens int
	// Input bounds a request's variables and extensions while /query
	// decodes them (zero fields: graphqlhttp's defaults).
	Input graphqlhttp.InputLimits
	// Introspection allows __schema and __type queries, and serves GraphiQL
	// at GET / and the SDL at GET /schema.graphqls; off, both are 404s.
	Introspection bool
	// PlaygroundAssets is the base URL GraphiQL's pinned npm packages load
	// from (playground.CheckAssets). Default playground.DefaultAssets
	// (jsDelivr).
	PlaygroundAssets string
	// SDL is the schema's source, served at GET /schema.graphqls.
	SDL []byte
	// APQCacheSize bounds the Automatic Persisted Queries cache (entries);
	// zero turns APQ off (as -apq-cache-size 0 does). The command's default
	// is DefaultAPQCacheSize.
	APQCacheSize int
	// APQCacheBytes bounds the same cache's queries in bytes (their
	// length, their hash and the cache's bookkeeping). Default
	// DefaultAPQCacheBytes.
	APQCacheBytes int
	// QueryCacheBytes bounds the parsed and validated documents kept, so
	// that a query sent again is neither parsed nor validated again, by
	// their estimated size in memory (documents.Size). Default
	// DefaultQueryCacheBytes.
	QueryCacheBytes int
	// Trusted, when set, is the trusted-documents mode: only its documents
	// run (APQ is then off).
	Trusted documents.Manifest
	// Authenticate, when set, guards the GraphQL routes (auth.Verifier's
	// Middleware); nil means authentication is off.
	Authenticate func(http.Handler) http.Handler
	// ClientAddr finds each request's client address (clientaddr), which
	// RateLimit counts by; nil means the connection's address.
	ClientAddr *clientaddr.Resolver
	// RateLimit limits each client address's GraphQL requests. It counts
	// before authentication, so requests with bad tokens count too. Zero
	// Requests turns it off.
	RateLimit RateLimit
	// SubjectRateLimit limits each token subject's GraphQL requests, after
	// authentication (without Authenticate it counts nothing). Zero
	// Requests turns it off.
	SubjectRateLimit RateLimit
	// CORSOrigins lists the origins browsers may call from ("*" for any),
	// each as CheckOrigin accepts it; empty means same-origin only, unless
	// CORSLocalhost.
	CORSOrigins []string
	// CORSLocalhost lets browsers on loopback origins (http://localhost:*,
	// http://127.0.0.1:*, http://[::1]:*, and https) call too: for a
	// frontend's dev server in front of simulated services. Default false.
	CORSLocalhost bool
	// Shared, when set, is the store the replicas share (Redis, package
	// sharedstore): persisted queries registered on one replica are found
	// on all, and the rate limits count across all of them. Nil: each
	// replica keeps its own. Its failures never fail a request.
	Shared Shared
	// SharedAPQ is how long, how large and how many persisted queries
	// Shared keeps; zero fields take documents.SharedCache's defaults (1h,
	// 20,000 bytes, 1,000 registrations per TTL).
	SharedAPQ SharedAPQ
	// APQRegisterLimit limits the persisted queries each client (Client)
	// may register, with or without Shared; a query past it runs but is
	// not stored (documents.APQ.Admit). Zero Requests turns it off.
	APQRegisterLimit RateLimit
}

// Shared is the store the replicas share.
type Shared interface {
	documents.SharedStore
	RateCounter
}

// SharedAPQ bounds the persisted queries in the shared store.
type SharedAPQ struct {
	// TTL is how long a query stays after it was registered. Default 1h
	// (documents.DefaultSharedTTL).
	TTL time.Duration
	// MaxBytes is the longest query shared; longer ones stay in the
	// replica's cache. Default 20,000 (documents.DefaultSharedMaxBytes).
	MaxBytes int
	// Budget is how many queries the replicas together may store per TTL;
	// the others stay in the replica's cache. Default 1,000
	// (documents.DefaultSharedBudget).
	Budget int
}

// New returns the gateway's HTTP handler.
func New(opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Deadline = cmp.Or(opts.Deadline, DefaultDeadline)
	opts.MaxBodyBytes = cmp.Or(opts.MaxBodyBytes, DefaultMaxBodyBytes)
	opts.MaxQueryBytes = cmp.Or(opts.MaxQueryBytes, DefaultMaxQueryBytes)
	opts.MaxResponseBytes = cmp.Or(opts.MaxResponseBytes, DefaultMaxResponseBytes)
	opts.MaxTokens = cmp.Or(opts.MaxTokens, DefaultMaxTokens)
	if opts.ClientAddr == nil {
		opts.ClientAddr = &clientaddr.Resolver{}
	}
	exec := newExecutor(opts)

	r := chi.NewRouter()
	r.Use(requestid.Middleware, recoverer(opts.Logger), securityHeaders, opts.ClientAddr.Middleware)
	if len(opts.CORSOrigins) > 0 || opts.CORSLocalhost {
		r.Use(corsFor(opts.CORSOrigins, opts.CORSLocalhost, opts.Logger))
	}
	if opts.Overload != nil {
		// Before any work (a shed request costs next to nothing), after the
		// headers every answer carries: a browser reads Retry-After of a
		// shed answer as of any other.
		r.Use(shed(opts.Overload))
	}
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		apierror.WriteHTTP(w, http.StatusNotFound, apierror.BadRequest, "no such route")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		apierror.WriteHTTP(w, http.StatusMethodNotAllowed, apierror.BadRequest, "method not allowed")
	})

	probes(r, opts.Ready)
	if opts.Introspection { // what the schema looks like is for developers
		assets := opts.PlaygroundAssets
		var err error
		if assets != "" && playground.IsLocal(assets) { // a local copy, served from here
			var files map[string][]byte
			if files, err = playground.LocalAssets(assets); err == nil {
				r.Get(playground.LocalPath+"/*", assetFiles(files))
				assets = playground.LocalPath
			}
		}
		var page []byte
		if err == nil {
			page, err = playground.Page(playground.Options{Title: "Dashboard gateway", Endpoint: "/query", Assets: assets})
		}
		if err != nil { // config.Parse checks the setting: only a caller that skipped it gets here
			opts.Logger.Error("no GraphiQL at GET /: bad playground assets", "error", err.Error())
		} else {
			r.Method(http.MethodGet, "/", graphiQL(page))
		}
		if len(opts.SDL) > 0 {
			sdl := func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				_, _ = w.Write(opts.SDL)
			}
			r.Get("/schema.graphqls", sdl)
			r.Head("/schema.graphqls", sdl) // net/http sends no body for HEAD

		}
	}
	r.Group(func(r chi.Router) {
		if opts.Tracing != nil {
			r.Use(traced(opts.Tracing))
		}
		r.Use(observability.Middleware(opts.Metrics, opts.Logger))
		r.Use(rateLimiter(opts.RateLimit, addressKey, opts.Shared)) // before authentication: bad tokens count
		if opts.Authenticate != nil {
			r.Use(opts.Authenticate)
		}
		r.Use(rateLimiter(opts.SubjectRateLimit, subjectKey, opts.Shared))
		r.Use(deadline.Middleware(opts.Deadline), limitBody(opts.MaxBodyBytes)) // the deadline counts the upload too
		r.Handle("/query", graphqlhttp.Handler{Exec: exec, MaxQueryBytes: opts.MaxQueryBytes, MaxResponseBytes: opts.MaxResponseBytes, MaxErrors: opts.MaxErrors, Input: opts.Input, Documents: opts.Trusted != nil})
		r.Get("/dashboard/{userId}", restView{exec: exec}.ServeHTTP)
	})
	return r
}

// traced starts a server span per request, continuing the client's trace
// when it sent a traceparent; spans are named by route.
func traced(t *observability.Tracing) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return otelhttp.NewHandler(next, "http",
			otelhttp.WithTracerProvider(t.Provider),
			otelhttp.WithPropagators(t.Propagator),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
				if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
					return r.Method + " " + rc.RoutePattern()
				}
				return r.Method
			}))
	}
}
