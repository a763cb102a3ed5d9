package observability_test

import (
	"cmp"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/simulator"
)

// series is one expected value of a metric's series.
type series struct {
	metric string
	labels map[string]string
	want   float64
}

func checkSeries(tb testing.TB, reg *prometheus.Registry, want []series) {
	tb.Helper()
	for _, s := range want {
		if got := observability.Sample(tb, reg, s.metric, s.labels); got != s.want {
			tb.Errorf("%s%v: got %v; want %v", s.metric, s.labels, got, s.want)
		}
	}
}

var failingWallet = map[string]simulator.Behavior{simulator.Wallet: {Fault: simulator.FaultStatus500}}

// Each request counts once, under its operation's label and its status;
// its response's errors count by code and service.
func TestMiddlewareCountsRequests(t *testing.T) {
	tests := []struct {
		name      string
		behaviors map[string]simulator.Behavior
		body      string
		want      []series
	}{
		{"a named operation", nil, query(t, `query Named { dashboard(userId: "u1") { profile { name } } }`, nil), []series{
			{"gateway_requests_total", map[string]string{"operation": "Named", "status": "200"}, 1},
			{"gateway_request_duration_seconds", map[string]string{"operation": "Named"}, 1},
			{"gateway_requests_total", map[string]string{"operation": "anonymous", "status": "200"}, -1},
		}},
		{"an anonymous operation", nil, query(t, `{ dashboard(userId: "u1") { profile { name } } }`, nil), []series{
			{"gateway_requests_total", map[string]string{"operation": "anonymous", "status": "200"}, 1},
			{"gateway_request_duration_seconds", map[string]string{"operation": "anonymous"}, 1},
		}},
		{"a document that does not validate", nil, query(t, `query Bad { nope }`, nil), []series{
			{"gateway_requests_total", map[string]string{"operation": "none", "status": "422"}, 1},
			{"gateway_requests_total", map[string]string{"operation": "Bad", "status": "422"}, -1},
			{"gateway_graphql_errors_total", map[string]string{"code": "GRAPHQL_VALIDATION_FAILED", "service": "none"}, 1},
		}},
		{"a body that is not JSON", nil, `{"query":`, []series{
			{"gateway_requests_total", map[string]string{"operation": "none", "status": "400"}, 1},
			{"gateway_graphql_errors_total", map[string]string{"code": "BAD_REQUEST", "service": "none"}, 1},
		}},
		{"a failing service", failingWallet, query(t, `query Partial { dashboard(userId: "u1") { profile { name } wallet { loyaltyPoints } } }`, nil), []series{
			{"gateway_requests_total", map[string]string{"operation": "Partial", "status": "200"}, 1},
			{"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_ERROR", "service": "wallet"}, 1},
			{"gateway_deadline_exceeded_total", map[string]string{}, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, serverOptions{behaviors: tt.behaviors})
			s.post(t, tt.body)
			s.finish()
			checkSeries(t, s.reg, tt.want)
		})
	}
}

// More operation names than MaxOperations: the first ones keep their
// label, the rest count as "other", and the series stay bounded.
func TestOperationNamesBounded(t *testing.T) {
	s := newServer(t, serverOptions{})
	const extra = 10
	for i := range observability.MaxOperations + extra {
		s.post(t, query(t, fmt.Sprintf(`query Op%d { dashboard(userId: "u1") { userId } }`, i), nil))
	}
	s.finish()
	families, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if n := len(f.GetMetric()); strings.HasPrefix(f.GetName(), "gateway_request") && n != observability.MaxOperations+1 {
			t.Errorf("%s: %d series; want %d names and other", f.GetName(), n, observability.MaxOperations)
		}
	}
	checkSeries(t, s.reg, []series{
		{"gateway_requests_total", map[string]string{"operation": "Op0", "status": "200"}, 1},
		{"gateway_requests_total", map[string]string{"operation": fmt.Sprintf("Op%d", observability.MaxOperations), "status": "200"}, -1},
		{"gateway_requests_total", map[string]string{"operation": "other", "status": "200"}, extra},
	})
}

var serverTimingEntry = regexp.MustCompile(`^([a-z-]+);dur=(\d+\.\d)$`)

// Server-Timing has one entry per service the request waited on (the
// waits added up, in the services' order), then the total, which covers
// the time until the response started; it is set however the response
// starts, and the request is counted with the status it had.
func TestServerTiming(t *testing.T) {
	tests := []struct {
		name     string
		calls    map[downstream.Service][]time.Duration
		status   int // 0: the handler only writes; -1: it writes nothing
		services string
	}{
		{"no service", nil, 0, ""},
		{"nothing written", nil, -1, ""},
		{"one call", map[downstream.Service][]time.Duration{"wallet": {12340 * time.Microsecond}}, 0, "wallet;dur=12.3, "},
		{"calls add up, services in order", map[downstream.Service][]time.Duration{
			"wallet": {time.Millisecond}, "orders": {5 * time.Millisecond, 5 * time.Millisecond},
		}, 0, "orders;dur=10.0, wallet;dur=1.0, "},
		{"an error status", map[downstream.Service][]time.Duration{"profile": {2 * time.Millisecond}}, http.StatusServiceUnavailable, "profile;dur=2.0, "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := observability.NewMetrics(reg)
			var before time.Duration // the handler's time when it answered
			r := chi.NewRouter()
			r.Use(observability.Middleware(m, discard))
			r.Get("/timed", func(w http.ResponseWriter, r *http.Request) {
				for service, waits := range tt.calls {
					for _, d := range waits {
						m.Call(r.Context(), service, d)
					}
				}
				before = time.Since(observability.FromContext(r.Context()).Start)
				if tt.status > 0 {
					w.WriteHeader(tt.status)
				}
				if tt.status >= 0 {
					_, _ = w.Write([]byte("ok"))
				}
			})
			srv := httptest.NewServer(r)
			resp, err := srv.Client().Get(srv.URL + "/timed")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.Close()

			header := resp.Header.Get("Server-Timing")
			if !strings.HasPrefix(header, tt.services+"total;dur=") {
				t.Fatalf("Server-Timing %q; want %q then the total", header, tt.services)
			}
			for _, entry := range strings.Split(header, ", ") {
				if !serverTimingEntry.MatchString(entry) {
					t.Errorf("Server-Timing %q: entry %q is not name;dur=ms", header, entry)
				}
			}
			total, _ := strconv.ParseFloat(strings.TrimPrefix(header, tt.services+"total;dur="), 64)
			if min := float64(before.Microseconds()/100) / 10; total < min { // the header rounds to 0.1 ms
				t.Errorf("Server-Timing total %v ms; want at least the %v ms before the response", total, min)
			}
			status := cmp.Or(max(tt.status, 0), http.StatusOK)
			checkSeries(t, reg, []series{
				{"gateway_requests_total", map[string]string{"operation": "none", "status": strconv.Itoa(status)}, 1},
			})
		})
	}
}
