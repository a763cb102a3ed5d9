package gateway_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// step is one request of a rate-limit scenario and the status it must get.
type step struct {
	xff    string // X-Forwarded-For; "" sends none
	bearer string // Authorization; "" sends none
	status int
}

// runSteps sends the steps in order from one connection address (loopback) and
// checks each status; a 429 must be the GraphQL-shaped RATE_LIMITED error
// with Retry-After.
func runSteps(t *testing.T, e *gatewaytest.Gateway, steps []step) {
	t.Helper()
	for i, s := range steps {
		var h []string
		if s.xff != "" {
			h = append(h, "X-Forwarded-For", s.xff)
		}
		if s.bearer != "" {
			h = append(h, "Authorization", s.bearer)
		}
		r := e.Post(t, `{ __typename }`, nil, h...)
		if r.Status != s.status {
			t.Fatalf("request %d (X-Forwarded-For %q): got %d %s; want %d", i+1, s.xff, r.Status, r.Body, s.status)
		}
		if r.Status == http.StatusTooManyRequests &&
			(r.Header.Get("Retry-After") == "" || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "RATE_LIMITED") {
			t.Errorf("request %d: got %s, Retry-After %q; want one RATE_LIMITED error and Retry-After", i+1, r.Body, r.Header.Get("Retry-After"))
		}
	}
}

// The per-address limit counts by the client address: the connection's, or
// from X-Forwarded-For only through a trusted proxy (the test client
// connects from 127.0.0.1), right-most untrusted entry first.
func TestRateLimitPerAddress(t *testing.T) {
	tests := []struct {
		name    string
		trusted string // "": no proxy trusted
		steps   []step
	}{
		{"spoofed first hop from an untrusted peer: one client", "10.0.0.0/8", []step{
			{xff: "198.51.100.1", status: 200},
			{xff: "198.51.100.2", status: 200},
			{xff: "198.51.100.3", status: 429},
			{status: 429},
		}},
		{"no proxy trusted: the header is not read", "", []step{
			{xff: "198.51.100.1", status: 200},
			{xff: "198.51.100.2", status: 200},
			{xff: "198.51.100.3", status: 429},
		}},
		{"trusted proxy: the right-most untrusted address, whatever the first hop", "127.0.0.0/8", []step{
			{xff: "6.6.6.1, 198.51.100.1", status: 200},
			{xff: "6.6.6.2, 198.51.100.1, 127.0.0.7", status: 200},
			{xff: "6.6.6.3, 198.51.100.1", status: 429},
			{xff: "6.6.6.3, 198.51.100.2", status: 200}, // another client
			{status: 200}, // the proxy itself
		}},
		{"trusted proxy, invalid entry: the proxy's address", "127.0.0.0/8", []step{
			{xff: "198.51.100.1, junk", status: 200},
			{xff: "198.51.100.2, unknown", status: 200},
			{status: 429}, // the proxy's own request shares the key
			{xff: "198.51.100.1", status: 200},
		}},
		{"IPv6 clients are counted per /64", "127.0.0.0/8", []step{
			{xff: "2001:db8:1:2::1", status: 200},
			{xff: "[2001:db8:1:2::ffff]:443", status: 200},
			{xff: "2001:db8:1:2:abcd::9", status: 429},
			{xff: "2001:db8:1:3::1", status: 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) {
				if tt.trusted != "" {
					gatewaytest.TrustProxies(t, o, tt.trusted)
				}
				o.RateLimit = gateway.RateLimit{Requests: 2, Window: time.Hour}
			}})
			runSteps(t, e, tt.steps)
		})
	}
}

// The per-address limit runs before authentication, so a flood of bad
// tokens is limited; the per-subject limit runs after it, per token
// subject.
func TestRateLimitAndAuthentication(t *testing.T) {
	bearer := func(sub string) string {
		return "Bearer " + gatewaytest.Token(t, sub, time.Hour, "", []byte(gatewaytest.Secret))
	}
	const bad = "Bearer not.a.token"
	tests := []struct {
		name               string
		perAddress, perSub int
		steps              []step
	}{
		{"bad tokens count against the address", 3, 0, []step{
			{bearer: bad, status: 401},
			{bearer: bad, status: 401},
			{status: 401},
			{bearer: bad, status: 429},
			{bearer: bearer("u1"), status: 429}, // the address is spent
		}},
		{"the address limit counts every subject", 3, 0, []step{
			{bearer: bearer("u1"), status: 200},
			{bearer: bearer("u2"), status: 200},
			{bearer: bearer("u3"), status: 200},
			{bearer: bearer("u4"), status: 429},
		}},
		{"the subject limit counts per subject, after authentication", 0, 2, []step{
			{bearer: bearer("u1"), status: 200},
			{bearer: bearer("u1"), status: 200},
			{bearer: bearer("u1"), status: 429},
			{bearer: bearer("u2"), status: 200},
			{bearer: bad, status: 401}, // no subject: never reaches the subject limit
		}},
		{"both: the address limit first", 4, 1, []step{
			{bearer: bearer("u1"), status: 200},
			{bearer: bearer("u1"), status: 429}, // subject spent (counts against the address too)
			{bearer: bearer("u2"), status: 200},
			{bearer: bad, status: 401},
			{bearer: bearer("u3"), status: 429}, // address spent
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := authEnv(t, func(o *config.Config) {
				o.RateLimit = gateway.RateLimit{Requests: tt.perAddress, Window: time.Hour}
				o.SubjectRateLimit = gateway.RateLimit{Requests: tt.perSub, Window: time.Hour}
			})
			runSteps(t, e, tt.steps)
		})
	}
}

// With the zero Options nothing is rate limited.
func TestRateLimitOffByDefault(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	steps := make([]step, 150)
	for i := range steps {
		steps[i] = step{status: 200}
	}
	runSteps(t, e, steps)
}

// A client sees the same X-RateLimit-* headers whether the limit is
// counted in Redis or by the replica, and a 429's Retry-After is the
// limiter's next admission (one interval of window/limit, 10 s here), not
// the whole window (30 s). The interval is long enough that a loaded
// machine does not see one pass between the requests.
func TestRateLimitHeaders(t *testing.T) {
	redis := redistest.Start(t)
	for _, withRedis := range []bool{false, true} {
		e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) {
			o.RateLimit = gateway.RateLimit{Requests: 3, Window: 30 * time.Second}
			if withRedis {
				o.Redis.URL = redis.URL()
			}
		}})
		for i, want := range []struct {
			status    int
			remaining string
		}{{200, "2"}, {200, "1"}, {200, "0"}, {429, "0"}} {
			r := e.Post(t, `{ __typename }`, nil)
			h := r.Header
			if r.Status != want.status || h.Get("X-Ratelimit-Limit") != "3" || h.Get("X-Ratelimit-Remaining") != want.remaining {
				t.Fatalf("Redis %v, request %d: %d, X-RateLimit-Limit %q, -Remaining %q; want %d, 3, %s",
					withRedis, i+1, r.Status, h.Get("X-Ratelimit-Limit"), h.Get("X-Ratelimit-Remaining"), want.status, want.remaining)
			}
			if reset, err := strconv.Atoi(h.Get("X-Ratelimit-Reset")); err != nil || reset < 10*min(i+1, 3)-1 || reset > 10*min(i+1, 3) {
				t.Errorf("Redis %v, request %d: X-RateLimit-Reset %q; want the seconds until all 3 are back", withRedis, i+1, h.Get("X-Ratelimit-Reset"))
			}
			if want.status != 429 {
				continue
			}
			ms, err := strconv.Atoi(h.Get("Retry-After-Ms"))
			if ra, _ := strconv.Atoi(h.Get("Retry-After")); ra < 8 || ra > 10 || err != nil || ms < 8000 || ms > 10000 {
				t.Errorf("Redis %v: Retry-After %q, Retry-After-Ms %q; want about 10 s: the next admission, not the window",
					withRedis, h.Get("Retry-After"), h.Get("Retry-After-Ms"))
			}
		}
	}
}

// A 429 is counted, and logged, under the operation name the request
// announces (Apollo's X-Apollo-Operation-Name, or a GET's operationName):
// the operation is known though it never ran.
func TestRateLimitedOperationName(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) {
		o.RateLimit = gateway.RateLimit{Requests: 1, Window: time.Hour}
	}})
	e.Post(t, `query Mine { __typename }`, nil)
	if r := e.Post(t, `query Mine { __typename }`, nil, "X-Apollo-Operation-Name", "Mine"); r.Status != 429 {
		t.Fatalf("second request: %d; want 429", r.Status)
	}
	if r := e.Get(t, "/query?query=query+Theirs+%7B__typename%7D&operationName=Theirs"); r.Status != 429 {
		t.Fatalf("GET: %d; want 429", r.Status)
	}
	m := e.Scrape(t)
	for _, op := range []string{"Mine", "Theirs"} {
		if v := gatewaytest.MetricValue(m, "gateway_requests_total", map[string]string{"operation": op, "status": "429"}); v != 1 {
			t.Errorf("gateway_requests_total{operation=%q,status=\"429\"} = %v; want 1", op, v)
		}
	}
	found := false
	for _, l := range e.Logs.Lines() {
		if l["msg"] == "request" && l["operation"] == "Theirs" && l["status"] == float64(429) {
			found = true
		}
	}
	if !found {
		t.Errorf("no access log line for the GET's 429 under operation Theirs")
	}
}
