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

// Gwt_Gateway is a gateway served over loopback HTTP in front of the simulated
// services, as a client sees it.
type Gwt_Gateway struct {
	Sim      *simulator.Simulator
	SimURLs  map[string]string // the simulated services' base URLs
	URL      string
	AdminURL string // the operators' handler (gateway.Admin): /metrics, pprof
	Client   *http.Client
	Logs     *Gwt_Logs
	Server      *httptest.Server
	Registry *prometheus.Registry // the gateway's metrics
}

type Gwt_Options struct {
	Behaviors  map[string]simulator.Behavior
	Deadline   time.Duration
	URLs       map[downstream.Service]string // configured URLs, over the simulator's
	Policy     string                        // every service's settings (downstream.ParseSpec); "" is the defaults
	Policies   map[downstream.Service]string // per service, over policy
	Budgets    map[string]time.Duration      // optional fields; nil: none (the default), so tests see every field waited for
	Dashboards dashboard.Builder             // overrides the dashboards built from the config
	Bench      bool                          // no call log and only warnings logged: both would grow without bound
	Tracing    *observability.Tracing        // nil: tracing off
	Timing     bool                          // clients may ask for field timings
	NoMetrics  bool                          // no metrics at all (to measure their cost)
	Edit       func(*config.Config)          // last changes to the configuration
	Overload   *overload.Limiter             // overrides the limiter built from the config
	SDL        []byte                        // served at GET /schema.graphqls while introspection is on
	Server     gateway.ServerConfig          // the HTTP server's protections
	ReplicaOf  *Gwt_Gateway                          // another replica in front of that env's simulator
}

// Gwt_New builds the gateway as run does (app.New) from the default
// configuration with the test's changes, in front of simulated services.
// Introspection is on, as run's "auto" has it while services are
// simulated; shedding is off (-overload-target 0), so a busy test machine
// does not shed the tests' requests.
func Gwt_New(tb testing.TB, o Gwt_Options) *Gwt_Gateway {
	tb.Helper()
	sim, simURLs := startSimulator(tb, o)
	cfg := config.Default()
	cfg.OverloadTarget = 0
	cfg.Deadline = cmp.Or(o.Deadline, cfg.Deadline)
	cfg.FieldTiming = o.Timing
	cfg.Server = o.Server
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
	logs := &Gwt_Logs{}
	level := slog.LevelDebug
	if o.Bench {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	deps := app.Deps{Logger: logger, Tracing: o.Tracing, SDL: o.SDL, Dashboards: o.Dashboards, Overload: o.Overload}
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
	return &Gwt_Gateway{Sim: sim, SimURLs: simURLs, URL: srv.URL, AdminURL: admin.URL, Client: &http.Client{Transport: clientTransport}, Logs: logs, Server: srv, Registry: registry}
}

// startSimulator starts the simulated services, or returns those of
// o.replicaOf.
func startSimulator(tb testing.TB, o Gwt_Options) (*simulator.Simulator, map[string]string) {
	tb.Helper()
	if o.ReplicaOf != nil {
		return o.ReplicaOf.Sim, o.ReplicaOf.SimURLs
	}
	sim := simulator.New(simulator.Options{Seed: 1, Behaviors: o.Behaviors, Record: !o.Bench, RequireHeaders: true})
	simURLs, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		tb.Fatalf("start simulator: %v", err)
	}
	return sim, simURLs
}

// Gwt_ManifestFile writes m as a trusted-documents manifest and returns its
// path, for -trusted-documents.
func Gwt_ManifestFile(tb testing.TB, m documents.Manifest) string {
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

// Gwt_Response is a GraphQL response as a client decodes it.
type Gwt_Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Gwt_Error      `json:"errors"`
}

type Gwt_Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e Gwt_Error) Code() string    { s, _ := e.Extensions["code"].(string); return s }
func (e Gwt_Error) Service() string { s, _ := e.Extensions["service"].(string); return s }

func (e Gwt_Error) PathString() string {
	parts := make([]string, len(e.Path))
	for i, p := range e.Path {
		b, _ := json.Marshal(p)
		parts[i] = strings.Trim(string(b), `"`)
	}
	return strings.Join(parts, ".")
}

// Gwt_Result is one HTTP exchange.
type Gwt_Result struct {
	Status  int
	Header  http.Header
	Body    []byte
	Elapsed time.Duration
	GQL     Gwt_Response
}

// Gwt_JSONRequest returns a POST of body as JSON to url.
func Gwt_JSONRequest(tb testing.TB, url string, body any) *http.Request {
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
func (e *Gwt_Gateway) Post(tb testing.TB, query string, vars map[string]any, header ...string) Gwt_Result {
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
func (e *Gwt_Gateway) Get(tb testing.TB, path string, header ...string) Gwt_Result {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.Do(tb, req)
}

func (e *Gwt_Gateway) Do(tb testing.TB, req *http.Request) Gwt_Result {
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
	r := Gwt_Result{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: time.Since(start)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && req.URL.Path == "/query" {
		if err := json.Unmarshal(body, &r.GQL); err != nil {
			tb.Fatalf("response is not GraphQL JSON: %v\n%s", err, body)
		}
	}
	return r
}

// ErrorsByPath indexes a response's errors by their path.
func (r Gwt_Result) ErrorsByPath() map[string]Gwt_Error {
	m := map[string]Gwt_Error{}
	for _, e := range r.GQL.Errors {
		m[e.PathString()] = e
	}
	return m
}

// CallCounts returns how many calls each service received.
func (e *Gwt_Gateway) CallCounts() map[string]int {
	m := map[string]int{}
	for _, s := range simulator.Services() {
		if n := e.Sim.Stats(s).Calls; n > 0 {
			m[s] = n
		}
	}
	return m
}

// WaitFor waits (without sleeping) until the simulator's stats for service satisfy cond.
func (e *Gwt_Gateway) WaitFor(tb testing.TB, service string, what string, cond func(simulator.Stats) bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Sim.WaitFor(ctx, service, cond); err != nil {
		tb.Fatalf("%s: waiting for %s: %v (stats %+v)", service, what, err, e.Sim.Stats(service))
	}
}

// Gwt_Logs collects JSON log lines safely from many goroutines.
type Gwt_Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Gwt_Logs) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Lines returns the decoded log records.
func (b *Gwt_Logs) Lines() []map[string]any {
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

// Gwt_QueryPath returns the /query path for a GET request of query.
func Gwt_QueryPath(query string) string {
	return "/query?query=" + url.QueryEscape(query)
}

// httptestRecorder serves one GET of path with h, in memory.
func httptestRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
