package gatewaytest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme/dashboard-gateway/app"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/simulator"
)

// Gateway is a gateway served over loopback HTTP in front of the simulated
// services, as a client sees it. New fills every field; a test reads them
// and must not change them.
type Gateway struct {
	// URL is the gateway's base URL (http://127.0.0.1:port), without a path.
	URL string
	// AdminURL is the base URL of the operators' handler (gateway.Admin):
	// /metrics, pprof.
	AdminURL string
	// Client is the HTTP client Post, Get and Do use; its idle connections
	// close when the test ends.
	Client *http.Client
	// Sim is the simulator serving the downstream services, for their
	// stats and call log (Options.Bench turns the log off).
	Sim *simulator.Simulator
	// SimURLs are the simulated services' base URLs, by service name.
	SimURLs map[string]string
	// Logs holds everything the gateway logged, as JSON lines.
	Logs *Logs
	// Server is the loopback server in front of the gateway's handler.
	Server *httptest.Server
	// Registry holds the gateway's metrics; nil with Options.NoMetrics.
	Registry *prometheus.Registry
}

// Options are what a test changes in the default configuration
// (config.Default) and around it. The zero value is the default gateway in
// front of healthy simulated services.
type Options struct {
	// Behaviors sets how each simulated service (simulator.Orders, ...)
	// behaves. Default: every service healthy, answering at once.
	Behaviors map[string]simulator.Behavior
	// Failing names simulated services that answer 500 to every call, over
	// Behaviors. Default: none.
	Failing []string
	// Deadline is the request-wide deadline. Default: config.Default's
	// (1.5 s).
	Deadline time.Duration
	// URLs are configured service URLs that take the place of the
	// simulator's. Default: none, every service is the simulator's.
	URLs map[downstream.Service]string
	// Policy is every service's settings, in downstream.ParseSpec's
	// syntax. Default: "", the defaults.
	Policy string
	// Policies are per-service settings, applied over Policy. Default: none.
	Policies map[downstream.Service]string
	// Budgets are the optional fields' budgets. Default: nil, none (unlike
	// run), so tests see every field waited for.
	Budgets map[string]time.Duration
	// Dashboards, when set, replaces the dashboards built from the
	// configuration. Default: nil, those of the configuration.
	Dashboards dashboard.Builder
	// TrustedDocuments is the path of a persisted-documents manifest
	// (-trusted-documents): only its operations run. Default: "", off.
	TrustedDocuments string
	// Bench turns off the simulator's call log and logs only warnings, as
	// both would grow without bound in a benchmark. Default: false.
	Bench bool
	// Tracing is the gateway's tracing. Default: nil, tracing off.
	Tracing *observability.Tracing
	// Timing lets clients ask for field timings. Default: false.
	Timing bool
	// NoMetrics turns metrics off entirely (to measure their cost); then
	// Gateway.Registry is nil. Default: false, metrics in a fresh registry.
	NoMetrics bool
	// Edit, when set, makes the last changes to the configuration, after
	// every other option. Default: nil.
	Edit func(*config.Config)
	// Overload, when set, replaces the limiter built from the
	// configuration. Default: nil; the configuration's target is 0, so
	// nothing is shed on a busy test machine.
	Overload *overload.Limiter
	// SDL is served at GET /schema.graphqls while introspection is on.
	// Default: nil.
	SDL []byte
	// Server is the HTTP server's protections. Default: the zero
	// gateway.ServerConfig.
	Server gateway.ServerConfig
	// ReplicaOf, when set, makes this gateway another replica in front of
	// that gateway's simulator, which this one does not stop. Default:
	// nil, a simulator of its own.
	ReplicaOf *Gateway
	// SimSeed seeds the simulator (simulator.Options.Seed); ignored with
	// ReplicaOf. Default: 0, which means 1.
	SimSeed uint64
	// LogClock is the clock of the log's repeat interval
	// (app.Deps.LogClock). Default: nil, time.Now.
	LogClock func() time.Time
}

// New builds the gateway as run does (app.New) from the default
// configuration with the test's changes, in front of simulated services.
// Introspection is on, as run's "auto" has it while services are
// simulated; shedding is off (-overload-target 0), so a busy test machine
// does not shed the tests' requests.
func New(tb testing.TB, o Options) *Gateway {
	tb.Helper()
	sim, simURLs := startSimulator(tb, o)
	cfg := config.Default()
	cfg.OverloadTarget = 0
	cfg.Deadline = cmp.Or(o.Deadline, cfg.Deadline)
	cfg.FieldTiming = o.Timing
	cfg.Server = o.Server
	cfg.TrustedDocuments = o.TrustedDocuments
	if o.Budgets != nil {
		cfg.Budgets = o.Budgets
	}
	for s, u := range o.URLs {
		cfg.URLs[s] = u
	}
	for name, u := range simURLs {
		s := downstream.Service(name)
		sc, err := downstream.ParseSpec(o.Policy, downstream.ServiceConfig{})
		if err == nil {
			sc, err = downstream.ParseSpec(o.Policies[s], sc)
		}
		if err != nil {
			tb.Fatalf("policy of %s: %v", s, err)
		}
		sc.URL = cmp.Or(cfg.URLs[s], u)
		cfg.Services[s] = sc
	}
	if o.Edit != nil {
		o.Edit(&cfg)
	}
	logs := &Logs{}
	level := slog.LevelDebug
	if o.Bench {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	deps := app.Deps{Logger: logger, Tracing: o.Tracing, SDL: o.SDL, Dashboards: o.Dashboards, Overload: o.Overload, LogClock: o.LogClock}
	var registry *prometheus.Registry
	if !o.NoMetrics {
		registry = prometheus.NewRegistry()
		deps.Registry = registry
	}
	ctx, cancel := context.WithCancel(context.Background())
	gw, err := app.New(ctx, cfg, deps)
	if err != nil {
		cancel()
		if o.ReplicaOf == nil {
			sim.Close()
		}
		tb.Fatalf("build the gateway: %v", err)
	}
	srv := httptest.NewUnstartedServer(gw.Handler)
	srv.Config = gateway.NewServer(gw.Handler, cfg.Server, cfg.Deadline, logger)
	srv.Start()
	admin := httptest.NewServer(gw.Admin)
	clientTransport := &http.Transport{}
	tb.Cleanup(func() {
		clientTransport.CloseIdleConnections()
		srv.Close()
		admin.Close()
		gw.Close()
		cancel()
		if o.ReplicaOf == nil {
			sim.Close()
		}
	})
	return &Gateway{Sim: sim, SimURLs: simURLs, URL: srv.URL, AdminURL: admin.URL, Client: &http.Client{Transport: clientTransport}, Logs: logs, Server: srv, Registry: registry}
}

// startSimulator starts the simulated services, or returns those of
// o.ReplicaOf.
func startSimulator(tb testing.TB, o Options) (*simulator.Simulator, map[string]string) {
	tb.Helper()
	if o.ReplicaOf != nil {
		return o.ReplicaOf.Sim, o.ReplicaOf.SimURLs
	}
	behaviors := o.Behaviors
	if len(o.Failing) > 0 {
		behaviors = maps.Clone(o.Behaviors)
		if behaviors == nil {
			behaviors = map[string]simulator.Behavior{}
		}
		for _, s := range o.Failing {
			behaviors[s] = simulator.Behavior{Fault: simulator.FaultStatus500}
		}
	}
	sim := simulator.New(simulator.Options{Seed: cmp.Or(o.SimSeed, 1), Behaviors: behaviors, Record: !o.Bench, RequireHeaders: true})
	simURLs, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatalf("start simulator: %v", err)
	}
	return sim, simURLs
}

// ManifestFile writes m as a trusted-documents manifest and returns its
// path, for -trusted-documents.
func ManifestFile(tb testing.TB, m documents.Manifest) string {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "manifest.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// JSONRequest returns a POST of body as JSON to url.
func JSONRequest(tb testing.TB, url string, body any) *http.Request {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// Post sends a GraphQL query with POST and decodes the answer.
func (e *Gateway) Post(tb testing.TB, query string, vars map[string]any, header ...string) Result {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.Do(tb, req)
}

// Get sends a GET to path (with a query string, if any).
func (e *Gateway) Get(tb testing.TB, path string, header ...string) Result {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.Do(tb, req)
}

// Do sends req with the gateway's client and reads the whole answer; an
// answer of /query in JSON is decoded into Result.GQL.
func (e *Gateway) Do(tb testing.TB, req *http.Request) Result {
	tb.Helper()
	start := time.Now()
	resp, err := e.Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	r := Result{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: time.Since(start)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && req.URL.Path == "/query" {
		if err := json.Unmarshal(body, &r.GQL); err != nil {
			tb.Fatalf("response is not GraphQL JSON: %v\n%s", err, body)
		}
	}
	return r
}

// CallCounts returns how many calls each service received.
func (e *Gateway) CallCounts() map[string]int {
	m := map[string]int{}
	for _, s := range simulator.Services() {
		if n := e.Sim.Stats(s).Calls; n > 0 {
			m[s] = n
		}
	}
	return m
}

// WaitFor waits (without sleeping) until the simulator's stats for service satisfy cond.
func (e *Gateway) WaitFor(tb testing.TB, service string, what string, cond func(simulator.Stats) bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Sim.WaitFor(ctx, service, cond); err != nil {
		tb.Fatalf("%s: waiting for %s: %v (stats %+v)", service, what, err, e.Sim.Stats(service))
	}
}

// QueryPath returns the /query path for a GET request of query.
func QueryPath(query string) string {
	return "/query?query=" + url.QueryEscape(query)
}

// PostJSON sends a JSON body as is.
func (e *Gateway) PostJSON(tb testing.TB, body map[string]any) Result {
	tb.Helper()
	req := JSONRequest(tb, e.URL+"/query", body)
	return e.Do(tb, req)
}
