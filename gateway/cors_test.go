package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// preflight asks whether a browser on origin may POST to /query with
// headers, and returns the Access-Control-Allow-Origin it got.
func preflight(t *testing.T, e *gatewaytest.Gateway, origin, headers string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, e.URL+"/query", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", headers)
	return e.Do(t, req).Header.Get("Access-Control-Allow-Origin")
}

// allServicesConfigured marks every service as configured, as with real
// services (their URLs stay the simulator's).
func allServicesConfigured(o *config.Config) {
	for s, sc := range o.Services {
		o.URLs[s] = sc.URL
	}
}

// Which origins may call: loopback ones by default while services are
// simulated (a frontend's dev server), only the configured ones otherwise.
func TestCORSOrigins(t *testing.T) {
	loopback := []string{"http://localhost:5173", "http://127.0.0.1:8081", "http://[::1]:3000", "http://localhost"}
	others := []string{"https://evil.example.com", "http://localhost.evil.example.com", "http://127.0.0.2:5173", "null"}
	tests := []struct {
		name    string
		edit    func(*config.Config)
		allowed []string
		refused []string
	}{
		{"simulated services, no origins set", nil, loopback, others},
		{"real services, no origins set", allServicesConfigured, nil, append(loopback, others...)},
		{"real services, origins set", func(o *config.Config) {
			allServicesConfigured(o)
			o.CORSOrigins = []string{"https://app.example.com", "http://localhost:5173"}
		}, []string{"https://app.example.com", "http://localhost:5173"}, append([]string{"http://localhost:3000", "https://app.example.com:8443"}, others...)},
		{"simulated services, origins set: only those", func(o *config.Config) { o.CORSOrigins = []string{"https://app.example.com"} },
			[]string{"https://app.example.com"}, append(loopback, others...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Edit: tt.edit})
			for _, origin := range tt.allowed {
				if got := preflight(t, e, origin, "content-type"); got != origin {
					t.Errorf("preflight from %s: Access-Control-Allow-Origin %q; want it allowed", origin, got)
				}
			}
			for _, origin := range tt.refused {
				if got := preflight(t, e, origin, "content-type"); got != "" {
					t.Errorf("preflight from %s: Access-Control-Allow-Origin %q; want it refused", origin, got)
				}
			}
		})
	}
}

// What browsers may send (Apollo Client's client-awareness headers, trace
// context, baggage) and what their scripts may read (timings, the request
// id, rate limits and back-off).
func TestCORSHeaders(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	const origin = "http://localhost:5173"
	for _, h := range []string{"Content-Type", "Authorization", "X-Request-Id", "X-Timeout-Ms",
		"apollographql-client-name", "apollographql-client-version", "apollo-require-preflight",
		"baggage", "traceparent", "tracestate"} {
		if got := preflight(t, e, origin, strings.ToLower(h)); got != origin {
			t.Errorf("preflight with %s: Access-Control-Allow-Origin %q; want the header allowed", h, got)
		}
	}
	if got := preflight(t, e, origin, "content-type,apollographql-client-name,apollographql-client-version,baggage,traceparent"); got != origin {
		t.Errorf("preflight with Apollo's headers together: Access-Control-Allow-Origin %q; want allowed", got)
	}
	if got := preflight(t, e, origin, "x-made-up"); got != "" {
		t.Errorf("preflight with x-made-up: Access-Control-Allow-Origin %q; want refused", got)
	}

	req := gatewaytest.JSONRequest(t, e.URL+"/query", map[string]any{"query": "{ __typename }"})
	req.Header.Set("Origin", origin)
	r := e.Do(t, req)
	if r.Header.Get("Access-Control-Allow-Origin") != origin || r.Header.Get("Timing-Allow-Origin") != origin {
		t.Errorf("headers %v; want Access-Control-Allow-Origin and Timing-Allow-Origin %s", r.Header, origin)
	}
	exposed := map[string]bool{}
	for _, h := range strings.Split(r.Header.Get("Access-Control-Expose-Headers"), ",") {
		exposed[http.CanonicalHeaderKey(strings.TrimSpace(h))] = true
	}
	for _, h := range []string{"Server-Timing", "X-Request-Id", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After", "Retry-After-Ms"} {
		if !exposed[h] {
			t.Errorf("Access-Control-Expose-Headers %q; want %s", r.Header.Get("Access-Control-Expose-Headers"), h)
		}
	}
}

// The rate limiter's headers are the ones exposed: a browser script can
// read how many requests it has left.
func TestCORSExposesTheRateLimitHeaders(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.RateLimit.Requests = 100 }})
	req := gatewaytest.JSONRequest(t, e.URL+"/query", map[string]any{"query": "{ __typename }"})
	req.Header.Set("Origin", "http://localhost:5173")
	r := e.Do(t, req)
	exposed := strings.ToLower(r.Header.Get("Access-Control-Expose-Headers"))
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-ratelimit-") && !strings.Contains(exposed, strings.ToLower(name)) {
			t.Errorf("the gateway sets %s but does not expose it (%q)", name, exposed)
		}
	}
	if r.Header.Get("X-Ratelimit-Remaining") == "" {
		t.Errorf("headers %v; want the rate limiter's X-RateLimit-Remaining", r.Header)
	}
}

// A preflight refused for a header, an origin or a method is logged at
// debug level with the reason: the browser tells its developer only that
// the call was blocked.
func TestCORSRefusalLogged(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, tt := range []struct{ origin, headers, want string }{
		{"http://localhost:5173", "content-type,x-made-up", "X-Made-Up"},
		{"https://evil.example.com", "content-type", "evil.example.com"},
	} {
		if got := preflight(t, e, tt.origin, tt.headers); got != "" {
			t.Fatalf("preflight from %s with %s: allowed; want refused", tt.origin, tt.headers)
		}
		found := false
		for _, l := range e.Logs.Lines() {
			if l["msg"] == "CORS preflight refused" && l["level"] == "DEBUG" && strings.Contains(fmt.Sprint(l["reason"]), tt.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("preflight from %s with %s: no debug line naming %s; logs %v", tt.origin, tt.headers, tt.want, e.Logs.Lines())
		}
	}
	if got := preflight(t, e, "http://localhost:5173", "content-type"); got == "" {
		t.Fatal("an allowed preflight was refused")
	}
	n := 0
	for _, l := range e.Logs.Lines() {
		if l["msg"] == "CORS preflight refused" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d refusal lines; want 2 (an allowed preflight logs none)", n)
	}
}
