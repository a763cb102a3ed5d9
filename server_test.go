package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/playground"
	"github.com/acme/dashboard-gateway/simulator"
)

// logWatch is run's stderr: it keeps the log and hands over the listen
// address once the "listening" line appears.
type logWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	addr    chan string
	found   bool
	changed chan struct{} // closed and replaced on every write
}

func newLogWatch() *logWatch {
	return &logWatch{addr: make(chan string, 1), changed: make(chan struct{})}
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	if !w.found {
		for _, line := range strings.Split(w.buf.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				w.found = true
				w.addr <- rec.Addr
				break
			}
		}
	}
	return len(p), nil
}

// waitFor waits until a log line contains s (the log is the event: no sleeping).
func (w *logWatch) waitFor(tb testing.TB, s string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		found := strings.Contains(w.buf.String(), s)
		changed := w.changed
		w.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-time.After(time.Until(deadline)):
			tb.Fatalf("no log line with %s in 10s:\n%s", s, w.String())
		}
	}
}

// field returns key of the first log line with message msg, or "".
func (w *logWatch) field(msg, key string) string {
	for _, line := range strings.Split(w.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			v, _ := rec[key].(string)
			return v
		}
	}
	return ""
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// start runs the gateway like `go run .` does and returns its base URL. The
// test's cleanup stops it and checks that run returned nil.
func start(t *testing.T, args []string, env map[string]string) (string, *logWatch) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := newLogWatch()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}, args...), environ(env), io.Discard, logs)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v; want nil after a clean shutdown", err)
		}
	})
	select {
	case addr := <-logs.addr:
		return "http://" + addr, logs
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("run ended before listening: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening line in 30s:\n%s", logs)
	}
	return "", nil
}

func postQuery(t *testing.T, base, query string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(base+"/query", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
	return resp.StatusCode, out
}

// `go run .` with nothing configured serves the playground and answers the
// example query from the embedded simulated services.
func TestRunOutOfTheBox(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after run has stopped
	base, logs := start(t, nil, nil)

	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "graphiql") {
		t.Errorf("GET / = %d; want the GraphiQL page", resp.StatusCode)
	}

	startQ := time.Now()
	status, out := postQuery(t, base, playground.ExampleQuery)
	elapsed := time.Since(startQ)
	data, _ := out["data"].(map[string]any)
	dash, _ := data["dashboard"].(map[string]any)
	if status != 200 || dash == nil || dash["profile"] == nil && dash["wallet"] == nil {
		t.Fatalf("example query: %d %v; want a dashboard", status, out)
	}
	if elapsed > 1500*time.Millisecond+250*time.Millisecond {
		t.Errorf("example query took %v; want the 1.5 s deadline at most (+250ms)", elapsed)
	}
	errs, _ := out["errors"].([]any)
	for _, e := range errs {
		// The seed's orders fail 30% of the time; products may miss the
		// deadline; optional fields may give up at their budget.
		ext := e.(map[string]any)["extensions"].(map[string]any)
		if code := ext["code"]; code != "UPSTREAM_ERROR" && code != "DEADLINE_EXCEEDED" &&
			!(code == "UPSTREAM_TIMEOUT" && ext["reason"] == "field_budget") {
			t.Errorf("error %v; want only the seed's failures", e)
		}
	}
	for _, want := range []string{`"msg":"simulating services"`, `"playground":"http://127.0.0.1:`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up log lacks %s", want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// -simulation healthy answers the example query in full: the partial
// answers of the default (seed) simulation are its simulated faults.
func TestRunHealthySimulation(t *testing.T) {
	base, logs := start(t, nil, map[string]string{"SIMULATION": "healthy"})
	status, out := postQuery(t, base, playground.ExampleQuery)
	data, _ := out["data"].(map[string]any)
	dash, _ := data["dashboard"].(map[string]any)
	if status != 200 || out["errors"] != nil || dash == nil || dash["orders"] == nil || dash["wallet"] == nil {
		t.Errorf("example query: %d %v; want the whole dashboard without errors", status, out)
	}
	if !strings.Contains(logs.String(), `"simulation":"healthy"`) {
		t.Errorf("start-up log lacks the simulation:\n%s", logs)
	}
	http.DefaultClient.CloseIdleConnections()
}

// Configured services are used, by flag or environment; the rest stay
// simulated, as -simulate=all asks.
func TestRunUsesConfiguredServices(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after run has stopped
	sim := simulator.New(simulator.Options{Record: true, RequireHeaders: true})
	urls, err := sim.Start("127.0.0.1", 0, simulator.Wallet, simulator.Profile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	base, _ := start(t, []string{"-profile-url", urls[simulator.Profile]}, map[string]string{"WALLET_URL": urls[simulator.Wallet], "SIMULATE": "all"})
	status, out := postQuery(t, base, `{ dashboard(userId: "u1") { profile { name } wallet { loyaltyPoints } orders(first: 1) { id } } }`)
	if status != 200 || out["errors"] != nil && len(out["errors"].([]any)) > 0 && !onlyOrdersFailed(out) {
		t.Fatalf("%d %v", status, out)
	}
	if p, w := sim.Stats(simulator.Profile).Calls, sim.Stats(simulator.Wallet).Calls; p != 1 || w != 1 {
		t.Errorf("configured services got %d profile and %d wallet calls; want 1 each", p, w)
	}
}

func onlyOrdersFailed(out map[string]any) bool {
	for _, e := range out["errors"].([]any) {
		if e.(map[string]any)["extensions"].(map[string]any)["service"] != "orders" {
			return false
		}
	}
	return true
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, nil, io.Discard, &out); err != nil {
		t.Errorf("-h: %v; want nil", err)
	}
	for _, flag := range []string{"-addr", "-deadline", "-orders-url", "-log-level"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("-h output lacks %s", flag)
		}
	}
}

// On SIGTERM (here: run's context ending) the gateway turns unready first,
// then stops accepting connections, lets the requests in flight finish with
// full answers, and returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	sim := simulator.New(simulator.Options{Behaviors: map[string]simulator.Behavior{
		simulator.Wallet: {Latency: simulator.Latency{Min: 1500 * time.Millisecond}},
	}})
	urls, err := sim.Start("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	env := map[string]string{"POLICY": "timeout=4s"}
	for name, u := range urls {
		env[config.EnvName(name+"-url")] = u
	}

	ctx, stop := context.WithCancel(context.Background())
	logs := newLogWatch()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-deadline", "5s", "-shutdown-delay", "1s"},
			environ(env), io.Discard, logs)
	}()
	base := "http://" + <-logs.addr
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	const inFlight = 3
	answers := make(chan map[string]any, inFlight)
	for i := range inFlight {
		go func() {
			body := fmt.Sprintf(`{"query":"{ dashboard(userId: \"u%d\") { wallet { loyaltyPoints } } }"}`, i+1)
			resp, err := client.Post(base+"/query", "application/json", strings.NewReader(body))
			if err != nil {
				answers <- map[string]any{"error": err.Error()}
				return
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			answers <- out
		}()
	}
	waitCtx, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelWait()
	if err := sim.WaitFor(waitCtx, simulator.Wallet, func(s simulator.Stats) bool { return s.InFlight == inFlight }); err != nil {
		t.Fatalf("requests not in flight: %v", err)
	}

	stop() // SIGTERM
	logs.waitFor(t, `"msg":"draining"`)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := fresh.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz while draining = %d; want 503", resp.StatusCode)
	}

	logs.waitFor(t, `"msg":"listener closed`)
	if conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://")); err == nil {
		conn.Close()
		t.Error("a new connection was accepted after the listener closed")
	}

	for range inFlight {
		out := <-answers
		data, _ := out["data"].(map[string]any)
		dash, _ := data["dashboard"].(map[string]any)
		if dash == nil || dash["wallet"] == nil || out["errors"] != nil {
			t.Errorf("request in flight during shutdown got %v; want its full answer", out)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("run returned %v; want nil", err)
	}
}

// Logs are JSON by default and text when asked, at the level asked.
func TestLogFormat(t *testing.T) {
	tests := []struct {
		args  []string
		check func(string) bool
	}{
		{nil, func(s string) bool {
			return strings.HasPrefix(s, `{"time":`) && !strings.Contains(s, `"level":"DEBUG"`)
		}},
		{[]string{"-log-format", "text"}, func(s string) bool { return strings.HasPrefix(s, "time=") }},
		{[]string{"-log-level", "debug"}, func(s string) bool { return strings.Contains(s, `"level":"DEBUG"`) }},
	}
	for _, tt := range tests {
		cfg, err := config.Parse(tt.args, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		logger := newLogger(cfg, &buf)
		logger.Debug("debug line")
		logger.Info("info line", "k", "v")
		if !tt.check(buf.String()) {
			t.Errorf("%v: logs %q", tt.args, buf.String())
		}
	}
}

// environ is env as os.Environ would give it.
func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// A configuration that would simulate a service by accident does not
// start: a service without a URL while others have one, or a variable
// that looks like a service's URL but is not one (which would leave that
// service simulated). The error says what to do.
func TestRunRefusesAccidentalSimulation(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"one service's URL", map[string]string{"ORDERS_URL": "http://127.0.0.1:1"}, "or simulate them on purpose with -simulate=profile,catalog,recommendations,notifications,wallet,shipping (SIMULATE)"},
		{"a look-alike variable", map[string]string{"ORDER_URL": "http://127.0.0.1:1"}, "ORDER_URL: not a setting of this gateway; did you mean ORDERS_URL?"},
	} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-admin-addr", "off"}, environ(tt.env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: run returned %v; want an error with %q", tt.name, err, tt.want)
		}
	}
}

// -version alone prints the build and serves nothing.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-version"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "dashboard-gateway ") || !strings.Contains(s, runtime.Version()) {
		t.Errorf("-version printed %q; want dashboard-gateway, its version and %s", s, runtime.Version())
	}
}
