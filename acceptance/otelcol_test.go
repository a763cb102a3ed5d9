package acceptance_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/observability"
)

// The roles a span plays in a request's trace.
const (
	roleServer    = "server"    // the HTTP server span of POST /query
	roleOperation = "operation" // the GraphQL operation
	roleCall      = "call"      // one downstream call (downstream/call.go)
)

// spanRole says what s is in a request's trace, from the names and
// attributes the gateway gives its spans; "" for the others (fields, the
// HTTP attempts under a call). The operation span is known by its name
// ("graphql.operation Dashboard") or by OpenTelemetry's GraphQL semantic
// convention ("query Dashboard" with graphql.operation.type), so the test
// holds across that rename.
func spanRole(s otlpSpan) string {
	switch {
	case s.Kind == otlpKindServer && s.Name == "POST /query":
		return roleServer
	case strings.HasPrefix(s.Name, "graphql.operation ") || s.attr("graphql.operation.type") != "":
		return roleOperation
	case s.attr("downstream.service") != "":
		return roleCall
	}
	return ""
}

// The gateway's traces, exported over OTLP/HTTP as in production
// (observability.TracingFromEnv), arrive whole in a real OpenTelemetry
// Collector (tools/otelcol, its file exporter writing OTLP JSON): one
// trace per request, the server span its root, the GraphQL operation its
// child, every service's call below the operation, no span orphaned. The
// span tree with an in-memory exporter is TestTracing's.
func TestTracesReachCollector(t *testing.T) {
	col := startCollector(t, otelcolBinary(t))

	// The OTLP exporter reads the process's environment itself.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", col.endpoint)
	tracing, err := observability.TracingFromEnv(t.Context(), os.Getenv)
	if err != nil || tracing == nil {
		t.Fatalf("TracingFromEnv = %v, %v; want tracing on", tracing, err)
	}
	t.Cleanup(func() { _ = tracing.Shutdown(context.Background()) }) // again after a failure: stops its goroutine
	e := gatewaytest.New(t, gatewaytest.Options{Tracing: tracing})

	r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"})
	if r.Status != 200 || len(r.GQL.Errors) > 0 {
		t.Fatalf("status %d, errors %+v; want 200 and none", r.Status, r.GQL.Errors)
	}
	e.Server.Close() // waits for the handler, so every span has ended
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := tracing.Shutdown(ctx); err != nil { // flushes to the collector
		t.Fatalf("tracing shutdown: %v", err)
	}

	// The collector has the spans; its file exporter writes them within its
	// flush interval.
	deadline := time.Now().Add(20 * time.Second)
	var problems []string
	for {
		spans, err := readOTLPFile(col.traces)
		if err != nil {
			t.Fatal(err)
		}
		if problems = traceProblems(spans, gatewaytest.Reached()); len(problems) == 0 {
			t.Logf("%d spans in the collector's file, calls to %v", len(spans), gatewaytest.Reached())
			return
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-t.Context().Done():
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	b, _ := os.ReadFile(col.traces)
	t.Logf("the collector's file (%d bytes):\n%.4000s", len(b), b)
}

// The example configuration that docs/operating.md runs the collector
// with is one the collector accepts, and its validate command does
// refuse a broken one.
func TestCollectorExampleConfigIsValid(t *testing.T) {
	bin := otelcolBinary(t)
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(broken, []byte("receivers:\n  otlp:\nexporters:\n  file:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [file]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		config string
		valid  bool
	}{
		{filepath.Join("..", "tools", "otelcol", "config.example.yaml"), true},
		{broken, false}, // no protocol, no path
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		out, err := exec.CommandContext(ctx, bin, "validate", "--config", tt.config).CombinedOutput()
		cancel()
		if (err == nil) != tt.valid {
			t.Errorf("otelcol validate --config %s: %v; want valid %v\n%s", tt.config, err, tt.valid, out)
		}
	}
}

// traceProblems finds each break in a request's span tree, and takes the
// operation span by either name.
func TestTraceProblems(t *testing.T) {
	span := func(id, parent, name string, kind int, attrs ...string) otlpSpan {
		s := otlpSpan{TraceID: "t1", SpanID: id, ParentSpanID: parent, Name: name, Kind: kind}
		for i := 0; i+1 < len(attrs); i += 2 {
			s.Attributes = append(s.Attributes, otlpAttr{Key: attrs[i]})
			s.Attributes[len(s.Attributes)-1].Value.StringValue = attrs[i+1]
		}
		return s
	}
	tree := func(edit func([]otlpSpan) []otlpSpan) []otlpSpan {
		spans := []otlpSpan{
			span("s", "", "POST /query", otlpKindServer),
			span("o", "s", "graphql.operation Dashboard", 1, "graphql.operation.name", "Dashboard"),
			span("f", "o", "graphql.field Dashboard.wallet", 1),
			span("p", "o", "profile get users", 1, "downstream.service", "profile"),
			span("w", "f", "wallet get wallet", 1, "downstream.service", "wallet"),
			span("h", "w", "HTTP GET", 3),
		}
		if edit != nil {
			spans = edit(spans)
		}
		return spans
	}
	tests := []struct {
		name  string
		spans []otlpSpan
		want  string // in one of the problems found; "" for none
	}{
		{"whole", tree(nil), ""},
		{"operation named by the semantic convention", tree(func(s []otlpSpan) []otlpSpan {
			s[1] = span("o", "s", "query Dashboard", 1, "graphql.operation.type", "query", "graphql.operation.name", "Dashboard")
			return s
		}), ""},
		{"orphan", tree(func(s []otlpSpan) []otlpSpan { s[5].ParentSpanID = "gone"; return s }), `"HTTP GET" is orphaned`},
		{"second root", tree(func(s []otlpSpan) []otlpSpan { s[5].ParentSpanID = ""; return s }), "second root"},
		{"server span with a parent", tree(func(s []otlpSpan) []otlpSpan { s[0].ParentSpanID = "client"; return s }), "want the root"},
		{"operation not the server's child", tree(func(s []otlpSpan) []otlpSpan { s[1].ParentSpanID = "p"; s[3].ParentSpanID = "s"; return s }), "want the server span"},
		{"call beside the operation", tree(func(s []otlpSpan) []otlpSpan { s[3].ParentSpanID = "s"; return s }), "does not descend"},
		{"call in another trace", tree(func(s []otlpSpan) []otlpSpan { s[3].TraceID = "t2"; s[3].ParentSpanID = ""; return s }), "want the request's t1"},
		{"a service not called", tree(func(s []otlpSpan) []otlpSpan { return s[:3] }), "no call span of profile"},
		{"no operation", tree(func(s []otlpSpan) []otlpSpan { s[1].Name = "other"; s[1].Attributes = nil; return s }), "0 operation spans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := traceProblems(tt.spans, []string{"profile", "wallet"})
			found := slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) })
			if tt.want == "" && len(got) > 0 || tt.want != "" && !found {
				t.Errorf("traceProblems = %q; want %q", got, tt.want)
			}
		})
	}
}

// traceProblems checks the spans of one request: one server span, the
// root of its trace; the operation its child; a call to each service of
// reached, and every call below the operation; every span in that trace,
// its parent there too. It returns what is wrong, nothing when all holds.
func traceProblems(spans []otlpSpan, reached []string) []string {
	var roots []otlpSpan
	for _, s := range spans {
		if spanRole(s) == roleServer {
			roots = append(roots, s)
		}
	}
	if len(roots) != 1 {
		return []string{fmt.Sprintf("%d server spans of POST /query among %d spans; want 1", len(roots), len(spans))}
	}
	root := roots[0]
	var problems []string
	if root.ParentSpanID != "" {
		problems = append(problems, fmt.Sprintf("server span %q has parent %s; want the root of its trace", root.Name, root.ParentSpanID))
	}
	byID := map[string]otlpSpan{}
	for _, s := range spans {
		if s.TraceID == root.TraceID {
			byID[s.SpanID] = s
		}
	}
	var ops []otlpSpan
	called := map[string]int{}
	for _, s := range byID {
		if s.ParentSpanID == "" && s.SpanID != root.SpanID {
			problems = append(problems, fmt.Sprintf("span %q is a second root of the trace", s.Name))
		} else if _, ok := byID[s.ParentSpanID]; s.ParentSpanID != "" && !ok {
			problems = append(problems, fmt.Sprintf("span %q is orphaned: no span %s in trace %s", s.Name, s.ParentSpanID, s.TraceID))
		}
		switch spanRole(s) {
		case roleOperation:
			ops = append(ops, s)
		case roleCall:
			called[s.attr("downstream.service")]++
		}
	}
	for _, s := range spans {
		if s.TraceID != root.TraceID && spanRole(s) != "" {
			problems = append(problems, fmt.Sprintf("span %q in trace %s; want the request's %s", s.Name, s.TraceID, root.TraceID))
		}
	}
	if len(ops) != 1 {
		return append(problems, fmt.Sprintf("%d operation spans in the trace; want 1", len(ops)))
	}
	op := ops[0]
	if op.ParentSpanID != root.SpanID {
		problems = append(problems, fmt.Sprintf("operation span %q has parent %q; want the server span", op.Name, byID[op.ParentSpanID].Name))
	}
	for _, svc := range reached {
		if called[svc] == 0 {
			problems = append(problems, fmt.Sprintf("no call span of %s in the trace", svc))
		}
	}
	for _, s := range byID {
		if spanRole(s) == roleCall && !descends(byID, s, op.SpanID) {
			problems = append(problems, fmt.Sprintf("call span %q does not descend from the operation span", s.Name))
		}
		if svc := s.attr("downstream.service"); svc != "" && !slices.Contains(reached, svc) {
			problems = append(problems, fmt.Sprintf("call span %q of %s, which no request reaches", s.Name, svc))
		}
	}
	return problems
}

// descends reports whether ancestor is on s's chain of parents in byID.
func descends(byID map[string]otlpSpan, s otlpSpan, ancestor string) bool {
	for range len(byID) { // a cycle cannot loop forever
		p, ok := byID[s.ParentSpanID]
		if !ok {
			return false
		}
		if p.SpanID == ancestor {
			return true
		}
		s = p
	}
	return false
}

// otlpKindServer is SPAN_KIND_SERVER in OTLP JSON.
const otlpKindServer = 2

// otlpSpan is a span as OTLP JSON writes it (ids in hex).
type otlpSpan struct {
	TraceID      string     `json:"traceId"`
	SpanID       string     `json:"spanId"`
	ParentSpanID string     `json:"parentSpanId"`
	Name         string     `json:"name"`
	Kind         int        `json:"kind"`
	Attributes   []otlpAttr `json:"attributes"`
}

// otlpAttr is an attribute of a span in OTLP JSON; only string values are
// read.
type otlpAttr struct {
	Key   string `json:"key"`
	Value struct {
		StringValue string `json:"stringValue"`
	} `json:"value"`
}

// attr returns the string attribute key of s, "" when it has none.
func (s otlpSpan) attr(key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.StringValue
		}
	}
	return ""
}

// readOTLPFile returns the spans of every whole line of the file exporter's
// output (one ExportTraceServiceRequest per line); a line still being
// written is left for the next read, a missing file has none.
func readOTLPFile(path string) ([]otlpSpan, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	} else {
		return nil, nil
	}
	var spans []otlpSpan
	for line := range bytes.Lines(b) {
		var req struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []otlpSpan `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		}
		if err := json.Unmarshal(line, &req); err != nil {
			return nil, fmt.Errorf("%s: a line that is not OTLP JSON: %w", path, err)
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				spans = append(spans, ss.Spans...)
			}
		}
	}
	return spans, nil
}

// collectorConfig is the test collector's configuration: OTLP/HTTP on
// 127.0.0.1 at the port %d, every trace to the file %q, flushed often; no
// listener for its own metrics.
const collectorConfig = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
exporters:
  file:
    path: %q
    format: json
    flush_interval: 50ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
`

// collector is a running tools/otelcol.
type collector struct {
	endpoint string // its OTLP/HTTP base URL
	traces   string // the file its exporter writes
}

// startCollector runs the collector binary bin until the test ends and
// waits until it listens. A port taken between choosing it and the
// collector's bind is tried again with another.
func startCollector(tb testing.TB, bin string) collector {
	tb.Helper()
	dir := tb.TempDir()
	traces := filepath.Join(dir, "traces.jsonl")
	for attempt := 1; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		config := filepath.Join(dir, fmt.Sprintf("config-%d.yaml", attempt))
		if err := os.WriteFile(config, fmt.Appendf(nil, collectorConfig, port, traces), 0o600); err != nil {
			tb.Fatal(err)
		}
		logPath := filepath.Join(dir, fmt.Sprintf("collector-%d.log", attempt))
		logFile, err := os.Create(logPath)
		if err != nil {
			tb.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "--config", config)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // a graceful shutdown
		cmd.WaitDelay = 10 * time.Second                                      // then killed
		if err := cmd.Start(); err != nil {
			cancel()
			logFile.Close()
			tb.Fatalf("start the collector: %v", err)
		}
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); logFile.Close(); close(exited) }()
		stop := func() { cancel(); <-exited }

		err = waitListening(addr, exited, 30*time.Second)
		if err == nil {
			tb.Cleanup(stop)
			return collector{endpoint: "http://" + addr, traces: traces}
		}
		stop()
		if attempt == 3 {
			log, _ := os.ReadFile(logPath)
			tb.Fatalf("collector on %s: %v (exit: %v); its log:\n%s", addr, err, waitErr, log)
		}
	}
}

// waitListening polls addr until it accepts a connection, the process
// exits, or timeout passes.
func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after %v: %w", timeout, err)
		}
		select {
		case <-exited:
			return errors.New("exited before listening")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// otelcolBinary returns the collector of tools/otelcol, built once per
// version of its sources: the binary is kept under the system's temporary
// directory by a hash of go.mod, go.sum and the Go files, so later runs
// start at once.
func otelcolBinary(tb testing.TB) string {
	tb.Helper()
	src, err := filepath.Abs(filepath.Join("..", "tools", "otelcol"))
	if err != nil {
		tb.Fatal(err)
	}
	goFiles, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	for _, f := range append([]string{filepath.Join(src, "go.mod"), filepath.Join(src, "go.sum")}, goFiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	dir := filepath.Join(os.TempDir(), "dashboard-gateway-otelcol-"+hex.EncodeToString(h.Sum(nil))[:16])
	bin := filepath.Join(dir, "otelcol")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	// Built beside its final name and renamed, so that a concurrent run
	// never starts a half-written binary.
	tmp, err := os.CreateTemp(dir, "otelcol-*.tmp")
	if err != nil {
		tb.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp.Name(), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build tools/otelcol: %v\n%s", err, out)
	}
	tb.Logf("built tools/otelcol in %v", time.Since(start).Round(time.Second))
	if err := os.Rename(tmp.Name(), bin); err != nil {
		tb.Fatal(err)
	}
	return bin
}
