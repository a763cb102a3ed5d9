package prometheus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

const (
	// readyTimeout bounds how long Prometheus may take to answer /-/ready.
	readyTimeout = 15 * time.Second
	// ruleTimeout bounds how long the recording rules may take to have
	// values once traffic flows: a few 1 s scrapes and evaluations.
	ruleTimeout = 30 * time.Second
	// pollInterval is how often the test asks Prometheus again.
	pollInterval = 200 * time.Millisecond
	// portAttempts is how many free ports Prometheus is started on before
	// the test fails.
	portAttempts = 3
)

// errPortTaken is returned, wrapped, when Prometheus could not bind its
// port.
var errPortTaken = errors.New("port taken")

// server is a prometheus process started by a test.
type server struct {
	url    string // http://127.0.0.1:port
	client *http.Client
	log    *lockedBuffer
}

// lockedBuffer is Prometheus's log, written by its process and read by
// the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPrometheus runs prometheus with rules.yaml, scraping target
// (host:port) and evaluating the rules every second, its storage in a
// temporary directory, on a free loopback port (another one when a
// process took that port first); it is killed when the test ends.
func startPrometheus(tb testing.TB, target string) *server {
	tb.Helper()
	binary := tool(tb, "prometheus")
	dir := tb.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: gateway
    static_configs:
      - targets: [%q]
`, absRulesFile(tb), target)
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		s, err := launchPrometheus(tb, binary, configFile, filepath.Join(dir, "data"))
		switch {
		case err == nil:
			return s
		case !errors.Is(err, errPortTaken) || attempt == portAttempts:
			tb.Fatalf("prometheus: %v", err)
		}
	}
}

// launchPrometheus starts prometheus on a free loopback port and waits
// until it is ready; the error wraps errPortTaken when another process
// took the port first.
func launchPrometheus(tb testing.TB, binary, configFile, dataDir string) (*server, error) {
	tb.Helper()
	addr := freeAddr(tb)
	s := &server{url: "http://" + addr, client: &http.Client{Timeout: 5 * time.Second}, log: &lockedBuffer{}}
	cmd := exec.Command(binary,
		"--config.file="+configFile,
		"--storage.tsdb.path="+dataDir,
		"--web.listen-address="+addr,
		"--log.level=warn")
	cmd.Dir = filepath.Dir(configFile)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill() // an error when it has exited already
		<-exited
		s.client.CloseIdleConnections()
	})
	ready := time.NewTimer(readyTimeout)
	defer ready.Stop()
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	for {
		if resp, err := s.client.Get(s.url + "/-/ready"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-exited:
			err := waitErr
			if strings.Contains(s.log.String(), "address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return nil, fmt.Errorf("exited before it was ready: %w\n%s", err, s.log)
		case <-ready.C:
			return nil, fmt.Errorf("not ready after %v:\n%s", readyTimeout, s.log)
		case <-poll.C:
		}
	}
}

// freeAddr returns a loopback address no process listens on, for now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// sample is one series of an instant query's answer.
type sample struct {
	labels map[string]string
	value  float64
}

// query runs an instant PromQL query through Prometheus's HTTP API.
func (s *server) query(ctx context.Context, expr string) ([]sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/v1/query?query="+url.QueryEscape(expr), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", expr, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %s: decode: %w", expr, err)
	}
	if body.Status != "success" || body.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: status %s (%s), result %s", expr, body.Status, body.Error, body.Data.ResultType)
	}
	out := make([]sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		text, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %q: %w", expr, text, err)
		}
		out = append(out, sample{labels: r.Metric, value: v})
	}
	return out, nil
}

// TestPrometheusEvaluatesRules starts a real Prometheus that loads
// rules.yaml and scrapes a gateway whose orders service fails every call,
// sends dashboard queries, and waits until the recording rules have
// values: availability 1 (partial answers are 200s), orders' upstream
// errors per request above 0 and no other service's, and the share of
// slow requests a ratio. Prometheus would not start, or the series would
// never appear, if a rule did not parse or named series the gateway does
// not export.
func TestPrometheusEvaluatesRules(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Failing: []string{simulator.Orders}, Bench: true})
	admin, err := url.Parse(e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	prom := startPrometheus(t, admin.Host)

	ctx, cancel := context.WithTimeout(t.Context(), ruleTimeout)
	defer cancel()
	want := []string{
		"gateway:availability:ratio_rate5m",
		"service:gateway_upstream_errors_per_request:ratio_rate5m",
		"gateway:request_latency_slow:ratio_rate5m",
	}
	got := map[string][]sample{}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for len(got) < len(want) {
		// Traffic goes on while the test waits: a rate needs two
		// scrapes that saw requests.
		if r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"}); r.Status != http.StatusOK {
			t.Fatalf("dashboard query: status %d; want 200 (a partial answer)\n%s", r.Status, r.Body)
		}
		for _, expr := range want {
			if _, ok := got[expr]; ok {
				continue
			}
			samples, err := prom.query(ctx, expr)
			if err != nil && ctx.Err() == nil {
				t.Fatalf("%v\n%s", err, prom.log)
			}
			if len(samples) > 0 {
				got[expr] = samples
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("after %v, recording rules with values: %v; want all of %v\nprometheus log:\n%s", ruleTimeout, got, want, prom.log)
		case <-ticker.C:
		}
	}

	if a := got[want[0]]; len(a) != 1 || a[0].value != 1 {
		t.Errorf("%s: got %v; want one series at 1 (every answer a 200)", want[0], a)
	}
	for _, s := range got[want[1]] {
		switch svc := s.labels["service"]; {
		case svc == simulator.Orders && s.value > 0:
		case svc == simulator.Orders:
			t.Errorf("%s{service=%q}: got %v; want > 0 (orders fails every call)", want[1], svc, s.value)
		default:
			t.Errorf("%s: got a series for %q at %v; want only orders (no other service fails)", want[1], svc, s.value)
		}
	}
	if len(got[want[1]]) != 1 {
		t.Errorf("%s: got %v; want one series, orders", want[1], got[want[1]])
	}
	if s := got[want[2]]; len(s) != 1 || s[0].value < 0 || s[0].value > 1 {
		t.Errorf("%s: got %v; want one ratio in [0, 1]", want[2], s)
	}
	if t.Failed() {
		t.Logf("prometheus log:\n%s", strings.TrimSpace(prom.log.String()))
	}
}
