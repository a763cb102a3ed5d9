package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

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
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, io.Discard, logs)
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
	status, out := postQuery(t, base, exampleQuery)
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
	for _, want := range []string{`"msg":"simulating services"`, `"playground":"http://127.0.0.1:`, `"example_query"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up log lacks %s", want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// Configured services are used, by flag or environment; the rest stay simulated.
func TestRunUsesConfiguredServices(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after run has stopped
	sim := simulator.New(simulator.Options{Record: true, RequireHeaders: true})
	urls, err := sim.Start("127.0.0.1", 0, simulator.Wallet, simulator.Profile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	base, _ := start(t, []string{"-profile-url", urls[simulator.Profile]}, map[string]string{"WALLET_URL": urls[simulator.Wallet]})
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

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // "" means valid
		check   func(config) bool
	}{
		{"defaults", nil, nil, "", func(c config) bool {
			return c.Addr == ":8080" && c.Deadline == 1500*time.Millisecond && len(c.URLs) == 0
		}},
		{"env", nil, map[string]string{"ADDR": ":9000", "DEADLINE": "700ms", "ORDERS_URL": "http://orders:1"}, "", func(c config) bool {
			return c.Addr == ":9000" && c.Deadline == 700*time.Millisecond && c.URLs["orders"] == "http://orders:1"
		}},
		{"flags as env", []string{"-addr", ":9000", "-deadline", "700ms", "-orders-url", "http://orders:1"}, nil, "", func(c config) bool {
			return c.Addr == ":9000" && c.Deadline == 700*time.Millisecond && c.URLs["orders"] == "http://orders:1"
		}},
		{"flag wins", []string{"-deadline", "900ms"}, map[string]string{"DEADLINE": "700ms"}, "", func(c config) bool {
			return c.Deadline == 900*time.Millisecond
		}},
		{"bad env", nil, map[string]string{"DEADLINE": "soon"}, "DEADLINE", nil},
		{"bad flag value", []string{"-deadline", "soon"}, nil, "deadline", nil},
		{"deadline too short", []string{"-deadline", "1ms"}, nil, "-deadline", nil},
		{"log format", []string{"-log-format", "xml"}, nil, "-log-format", nil},
		{"log level", nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL", nil},
		{"body limit", []string{"-max-body-bytes", "10"}, nil, "-max-body-bytes", nil},
		{"unknown flag", []string{"-nope"}, nil, "nope", nil},
		{"policies", []string{"-orders-policy", "timeout=300ms,h2c=on"}, map[string]string{"POLICY": "attempts=3"}, "", func(c config) bool {
			o, w := c.Services["orders"], c.Services["wallet"]
			return o.Policy.Timeout == 300*time.Millisecond && o.Policy.Attempts == 3 && o.H2C &&
				w.Policy.Attempts == 3 && w.Policy.Timeout == 0 && !w.H2C
		}},
		{"bad service policy", []string{"-orders-policy", "timeout=soon"}, nil, "-orders-policy (ORDERS_POLICY)", nil},
		{"bad policy from env", nil, map[string]string{"POLICY": "attempts=99"}, "-policy (POLICY)", nil},
		{"optional fields", []string{"-optional-fields", "wallet=200ms"}, nil, "", func(c config) bool {
			return len(c.Budgets) == 1 && c.Budgets["wallet"] == 200*time.Millisecond
		}},
		{"no optional fields", []string{"-optional-fields", "none"}, nil, "", func(c config) bool { return len(c.Budgets) == 0 }},
		{"bad optional field", []string{"-optional-fields", "userId=1s"}, nil, "-optional-fields", nil},
		{"grace shorter than the deadline", []string{"-deadline", "5s", "-shutdown-grace", "2s"}, nil, "-shutdown-grace", nil},
		{"shutdown delay", nil, map[string]string{"SHUTDOWN_DELAY": "2h"}, "-shutdown-delay", nil},
		{"operations settings", []string{"-field-timing", "-shutdown-delay", "3s"}, nil, "", func(c config) bool {
			return c.FieldTiming && c.ShutdownDelay == 3*time.Second
		}},
		{"stray argument", []string{"serve"}, nil, "serve", nil},
		{"edge defaults: rate limits off, no proxy trusted, admin on loopback", nil, nil, "", func(c config) bool {
			return c.RateLimit.Requests == 0 && c.SubjectRateLimit.Requests == 0 && c.ClientIPHeader == "" &&
				len(c.TrustedProxies) == 0 && c.AdminAddr == "127.0.0.1:9090"
		}},
		{"behind a load balancer", nil, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7", "CLIENT_IP_HEADER": "X-Forwarded-For",
			"RATE_LIMIT": "50", "RATE_WINDOW": "10s", "ADMIN_ADDR": ":9090"}, "", func(c config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 192.0.2.7/32]" && c.ClientIPHeader == "X-Forwarded-For" &&
				c.RateLimit.Requests == 50 && c.RateLimit.Window == 10*time.Second && c.AdminAddr == ":9090"
		}},
		{"bad trusted proxy", nil, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33", "CLIENT_IP_HEADER": "X-Forwarded-For"}, "TRUSTED_PROXIES", nil},
		{"bad trusted proxy flag", []string{"-trusted-proxies", "10.0.0.0/8,lb.internal", "-client-ip-header", "X-Forwarded-For"}, nil, "-trusted-proxies", nil},
		{"client IP header without trusted proxies", []string{"-client-ip-header", "X-Forwarded-For"}, nil, "-client-ip-header (CLIENT_IP_HEADER), -trusted-proxies (TRUSTED_PROXIES)", nil},
		{"trusted proxies without a header", []string{"-trusted-proxies", "10.0.0.0/8"}, nil, "-trusted-proxies (TRUSTED_PROXIES)", nil},
		{"every address trusted", []string{"-trusted-proxies", "0.0.0.0/0", "-client-ip-header", "X-Forwarded-For"}, nil, "trusts every address", nil},
		{"Forwarded header", []string{"-trusted-proxies", "10.0.0.0/8", "-client-ip-header", "Forwarded"}, nil, "-client-ip-header", nil},
		{"negative rate limit", []string{"-rate-limit", "-1"}, nil, "-rate-limit (RATE_LIMIT)", nil},
		{"zero rate window", nil, map[string]string{"RATE_WINDOW": "0s"}, "-rate-window (RATE_WINDOW)", nil},
		{"subject rate limit", []string{"-subject-rate-limit", "20", "-subject-rate-window", "1m", "-auth-secret", strings.Repeat("s", 32)}, nil, "", func(c config) bool {
			return c.SubjectRateLimit.Requests == 20 && c.SubjectRateLimit.Window == time.Minute
		}},
		{"subject rate limit without authentication", []string{"-subject-rate-limit", "20"}, nil, "-subject-rate-limit (SUBJECT_RATE_LIMIT)", nil},
		{"bad subject rate window", []string{"-subject-rate-window", "-1s"}, nil, "-subject-rate-window (SUBJECT_RATE_WINDOW)", nil},
		{"admin off", []string{"-admin-addr", "off"}, nil, "", func(c config) bool { return c.AdminAddr == "off" }},
		{"bad admin address", nil, map[string]string{"ADMIN_ADDR": "9090"}, "-admin-addr (ADMIN_ADDR)", nil},
		{"admin address is the public one", []string{"-addr", ":8080", "-admin-addr", ":8080"}, nil, "-admin-addr (ADMIN_ADDR)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v; want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(cfg) {
				t.Errorf("config %+v, error %v", cfg, err)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &out); err != nil {
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
		env[envName(name+"-url")] = u
	}

	ctx, stop := context.WithCancel(context.Background())
	logs := newLogWatch()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-deadline", "5s", "-shutdown-delay", "1s"},
			func(k string) string { return env[k] }, io.Discard, logs)
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
		cfg, err := parseConfig(tt.args, func(string) string { return "" }, io.Discard)
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

// Every setting is in the configuration reference (docs/configuration.md),
// flag and variable.
func TestConfigurationDocListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	table := string(readme)
	for _, name := range flagNames() {
		row := "`-" + name + "` / `" + envName(name) + "`"
		if strings.HasSuffix(name, "-url") && name != "auth-jwks-url" || strings.HasSuffix(name, "-policy") && name != "policy" {
			continue // listed per service, and as -<service>-policy
		}
		if !strings.Contains(table, row) {
			t.Errorf("docs/configuration.md has no row %s", row)
		}
	}
	for _, s := range []string{"profile", "orders", "catalog", "recommendations", "notifications", "wallet"} {
		if row := "`-" + s + "-url` / `" + envName(s+"-url") + "`"; !strings.Contains(table, row) {
			t.Errorf("docs/configuration.md has no row %s", row)
		}
	}
}
