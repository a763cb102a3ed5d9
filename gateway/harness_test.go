package gateway_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// env is a gateway served over loopback HTTP in front of the simulated
// services, as a client sees it.
type env struct {
	sim      *simulator.Simulator
	simURLs  map[string]string // the simulated services' base URLs
	url      string
	adminURL string // the operators' handler (gateway.Admin): /metrics, pprof
	client   *http.Client
	logs     *logBuffer
	srv      *httptest.Server
	registry *prometheus.Registry // the gateway's metrics
}

type envOptions struct {
	behaviors  map[string]simulator.Behavior
	deadline   time.Duration
	urls       map[downstream.Service]string // configured URLs, over the simulator's
	policy     string                        // every service's settings (downstream.ParseSpec); "" is the defaults
	policies   map[downstream.Service]string // per service, over policy
	budgets    map[string]time.Duration      // optional fields; nil: none (the default), so tests see every field waited for
	dashboards dashboard.Builder             // overrides the dashboards built from the config
	bench      bool                          // no call log and only warnings logged: both would grow without bound
	tracing    *observability.Tracing        // nil: tracing off
	timing     bool                          // clients may ask for field timings
	noMetrics  bool                          // no metrics at all (to measure their cost)
	edit       func(*config.Config)          // last changes to the configuration
	overload   *overload.Limiter             // overrides the limiter built from the config
	sdl        []byte                        // served at GET /schema.graphqls while introspection is on
	server     gateway.ServerConfig          // the HTTP server's protections
	replicaOf  *env                          // another replica in front of that env's simulator
}

// newEnv builds the gateway as run does (app.New) from the default
// configuration with the test's changes, in front of simulated services.
// Introspection is on, as run's "auto" has it while services are
// simulated; shedding is off (-overload-target 0), so a busy test machine
// does not shed the tests' requests.
func newEnv(tb testing.TB, o envOptions) *env {
	tb.Helper()
	sim, simURLs := startSimulator(tb, o)
	cfg := config.Default()
	cfg.OverloadTarget = 0
	cfg.Deadline = cmp.Or(o.deadline, cfg.Deadline)
	cfg.FieldTiming = o.timing
	cfg.Server = o.server
	if o.budgets != nil {
		cfg.Budgets = o.budgets
	}
	for s, u := range o.urls {
		cfg.URLs[s] = u
	}
	for name, u := range simURLs {
		s := downstream.Service(name)
		sc, err := downstream.ParseSpec(o.policy, downstream.ServiceConfig{})
		if err == nil {
			sc, err = downstream.ParseSpec(o.policies[s], sc)
		}
		if err != nil {
			tb.Fatalf("policy of %s: %v", s, err)
		}
		sc.URL = cmp.Or(cfg.URLs[s], u)
		cfg.Services[s] = sc
	}
	if o.edit != nil {
		o.edit(&cfg)
	}
	logs := &logBuffer{}
	level := slog.LevelDebug
	if o.bench {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	deps := app.Deps{Logger: logger, Tracing: o.tracing, SDL: o.sdl, Dashboards: o.dashboards, Overload: o.overload}
	var registry *prometheus.Registry
	if !o.noMetrics {
		registry = prometheus.NewRegistry()
		deps.Registry = registry
	}
	ctx, cancel := context.WithCancel(context.Background())
	gw, err := app.New(ctx, cfg, deps)
	if err != nil {
		cancel()
		if o.replicaOf == nil {
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
		if o.replicaOf == nil {
			sim.Close()
		}
	})
	return &env{sim: sim, simURLs: simURLs, url: srv.URL, adminURL: admin.URL, client: &http.Client{Transport: clientTransport}, logs: logs, srv: srv, registry: registry}
}

// startSimulator starts the simulated services, or returns those of
// o.replicaOf.
func startSimulator(tb testing.TB, o envOptions) (*simulator.Simulator, map[string]string) {
	tb.Helper()
	if o.replicaOf != nil {
		return o.replicaOf.sim, o.replicaOf.simURLs
	}
	sim := simulator.New(simulator.Options{Seed: 1, Behaviors: o.behaviors, Record: !o.bench, RequireHeaders: true})
	simURLs, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatalf("start simulator: %v", err)
	}
	return sim, simURLs
}

// manifestFile writes m as a trusted-documents manifest and returns its
// path, for -trusted-documents.
func manifestFile(tb testing.TB, m documents.Manifest) string {
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

// onOff is the -introspection setting for on.
func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// gqlResponse is a GraphQL response as a client decodes it.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string    { s, _ := e.Extensions["code"].(string); return s }
func (e gqlError) service() string { s, _ := e.Extensions["service"].(string); return s }

func (e gqlError) pathString() string {
	parts := make([]string, len(e.Path))
	for i, p := range e.Path {
		b, _ := json.Marshal(p)
		parts[i] = strings.Trim(string(b), `"`)
	}
	return strings.Join(parts, ".")
}

// result is one HTTP exchange.
type result struct {
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
	gql     gqlResponse
}

// jsonRequest returns a POST of body as JSON to url.
func jsonRequest(tb testing.TB, url string, body any) *http.Request {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// post sends a GraphQL query with POST and decodes the answer.
func (e *env) post(tb testing.TB, query string, vars map[string]any, header ...string) result {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(tb, req)
}

// get sends a GET to path (with a query string, if any).
func (e *env) get(tb testing.TB, path string, header ...string) result {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(tb, req)
}

func (e *env) do(tb testing.TB, req *http.Request) result {
	tb.Helper()
	start := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, body: body, elapsed: time.Since(start)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && req.URL.Path == "/query" {
		if err := json.Unmarshal(body, &r.gql); err != nil {
			tb.Fatalf("response is not GraphQL JSON: %v\n%s", err, body)
		}
	}
	return r
}

// errorsByPath indexes a response's errors by their path.
func (r result) errorsByPath() map[string]gqlError {
	m := map[string]gqlError{}
	for _, e := range r.gql.Errors {
		m[e.pathString()] = e
	}
	return m
}

// callCounts returns how many calls each service received.
func (e *env) callCounts() map[string]int {
	m := map[string]int{}
	for _, s := range simulator.Services() {
		if n := e.sim.Stats(s).Calls; n > 0 {
			m[s] = n
		}
	}
	return m
}

// waitFor waits (without sleeping) until the simulator's stats for service satisfy cond.
func (e *env) waitFor(tb testing.TB, service string, what string, cond func(simulator.Stats) bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sim.WaitFor(ctx, service, cond); err != nil {
		tb.Fatalf("%s: waiting for %s: %v (stats %+v)", service, what, err, e.sim.Stats(service))
	}
}

// logBuffer collects JSON log lines safely from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded log records.
func (b *logBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			m["_raw"] = sc.Text()
			out = append(out, m)
		}
	}
	return out
}

// graphqlGET returns the /query path for a GET request of query.
func graphqlGET(query string) string {
	return "/query?query=" + url.QueryEscape(query)
}

// httptestRecorder serves one GET of path with h, in memory.
func httptestRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
