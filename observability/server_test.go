package observability_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/downstream/downstreamtest"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
	"github.com/acme/dashboard-gateway/resolvers"
	"github.com/acme/dashboard-gateway/simulator"
)

// serverOptions configure a testServer.
type serverOptions struct {
	behaviors   map[string]simulator.Behavior // the simulated services'
	tracing     bool                          // spans recorded in testServer.spans
	fieldTiming bool                          // Extension.FieldTiming
	document    bool                          // Extension.TraceDocument
}

// testServer is the package's middleware and extension around gqlgen's
// executor with the real schema and resolvers, on loopback, in front of
// the simulated services: what the gateway mounts at /query, without the
// gateway's other layers.
type testServer struct {
	srv   *httptest.Server
	reg   *prometheus.Registry
	logs  *bytes.Buffer           // written under slog's lock; read after finish
	spans *tracetest.SpanRecorder // nil when tracing is off
}

// discard is a logger that writes nowhere.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// newServer starts a testServer; it and its simulator close when tb ends.
func newServer(tb testing.TB, o serverOptions) *testServer {
	tb.Helper()
	sim := simulator.New(simulator.Options{Behaviors: o.behaviors})
	clients := downstreamtest.Start(tb, sim, downstream.ServiceConfig{Policy: resilience.Policy{Attempts: 1}})
	s := &testServer{reg: prometheus.NewRegistry(), logs: &bytes.Buffer{}}
	metrics := observability.NewMetrics(s.reg)
	ext := observability.Extension{Metrics: metrics, FieldTiming: o.fieldTiming, TraceDocument: o.document}

	r := chi.NewRouter()
	r.Use(requestid.Middleware)
	if o.tracing {
		s.spans = tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans))
		tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		tr := observability.NewTracing(tp)
		ext.Tracer = tr.Tracer()
		r.Use(continueTrace(tr.Propagator))
	}
	r.Use(observability.Middleware(metrics, slog.New(slog.NewJSONHandler(s.logs, nil))))

	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(dashboard.New(dashboard.Options{}))}))
	gql.AddTransport(transport.POST{})
	gql.SetErrorPresenter(apierror.Presenter(discard))
	gql.Use(ext) // before the loaders, as the gateway has it
	gql.Use(loaders.Extension{Clients: clients})
	r.Handle("/query", gql)

	s.srv = httptest.NewServer(r)
	tb.Cleanup(s.srv.Close)
	return s
}

// continueTrace puts the client's trace context, read with p, in the
// request's context (the gateway starts its server span there).
func continueTrace(p propagation.TextMapPropagator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(p.Extract(r.Context(), propagation.HeaderCarrier(r.Header))))
		})
	}
}

// response is what a client received.
type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends body (a GraphQL request as JSON) to /query with the headers
// given as name, value pairs.
func (s *testServer) post(tb testing.TB, body string, headers ...string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/query", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("POST /query: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("POST /query: reading the body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// query returns the JSON of a GraphQL request for query, with extensions
// when not nil.
func query(tb testing.TB, query string, extensions map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "extensions": extensions})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// finish waits until every request's handler has returned: the middleware
// counts a request and logs it after the client may have its response.
func (s *testServer) finish() { s.srv.Close() }

// accessLines returns the access log lines, each with its text under
// "_raw"; call it after finish.
func (s *testServer) accessLines(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.logs.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if m["msg"] == "request" {
			m["_raw"] = sc.Text()
			out = append(out, m)
		}
	}
	return out
}
