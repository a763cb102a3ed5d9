package acceptance_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

const ordersQuery = `query($id: ID!, $n: Int) { dashboard(userId: $id) { orders(first: $n) { id status } wallet { loyaltyPoints } } }`

// failOrders makes every later call to the orders service answer 500.
func failOrders(e *gatewaytest.Gateway) {
	e.Sim.SetBehavior(simulator.Orders, simulator.Behavior{Fault: simulator.FaultStatus500})
}

// wantLookups checks gateway_cache_lookups_total of the orders service,
// by outcome.
func wantLookups(tb testing.TB, e *gatewaytest.Gateway, want map[string]float64) {
	tb.Helper()
	m := e.Scrape(tb)
	for outcome, n := range want {
		labels := map[string]string{"service": "orders", "outcome": outcome}
		if got := gatewaytest.MetricValue(m, "gateway_cache_lookups_total", labels); got != n {
			tb.Errorf("gateway_cache_lookups_total%v = %v; want %v", labels, got, n)
		}
	}
}

// With cache=<ttl>, an answer is served again while fresh, without a
// call; other arguments are other answers.
func TestCacheFreshAnswerMakesNoCall(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: "cache=1h"}})
	vars := map[string]any{"id": "u1", "n": 2}
	first := e.Post(t, ordersQuery, vars)
	if len(first.GQL.Errors) > 0 || gatewaytest.OrdersOf(t, first.GQL.Data) == "" {
		t.Fatalf("first answer: %s", first.Body)
	}
	calls := e.Sim.Stats(simulator.Orders).Calls
	second := e.Post(t, ordersQuery, vars)
	if got := e.Sim.Stats(simulator.Orders).Calls; got != calls {
		t.Errorf("orders calls after a fresh hit: got %d; want %d", got, calls)
	}
	if string(second.GQL.Data) != string(first.GQL.Data) {
		t.Errorf("fresh hit: got %s; want %s", second.GQL.Data, first.GQL.Data)
	}
	if s := second.Stale(t); len(s.Extensions.Stale) != 0 {
		t.Errorf("a fresh hit is marked stale: %s", second.Body)
	}
	wantLookups(t, e, map[string]float64{"miss": 1, "fresh": 1})
	e.Post(t, ordersQuery, map[string]any{"id": "u1", "n": 3})
	if got := e.Sim.Stats(simulator.Orders).Calls; got != calls+1 {
		t.Errorf("orders calls for other arguments: got %d; want %d", got, calls+1)
	}
}

// With stale-if-error, a failing service's field has the last good
// answer, no error, an entry in extensions.stale and in Server-Timing,
// and gateway_cache_lookups_total counts it; an answer older than
// stale-if-error is not served, and counts as a miss.
func TestStaleIfError(t *testing.T) {
	for _, tc := range []struct {
		name      string
		policy    string
		wantStale bool
		lookups   map[string]float64 // gateway_cache_lookups_total of orders by outcome
	}{
		{"within stale-if-error", "attempts=1,stale-if-error=1h", true, map[string]float64{"stale": 1, "miss": 0}},
		{"older than stale-if-error", "attempts=1,stale-if-error=1ns", false, map[string]float64{"stale": 0, "miss": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: tc.policy}})
			vars := map[string]any{"id": "u1", "n": 2}
			good := e.Post(t, ordersQuery, vars)
			if len(good.GQL.Errors) > 0 {
				t.Fatalf("healthy answer: %s", good.Body)
			}
			failOrders(e)
			r := e.Post(t, ordersQuery, vars)
			s := r.Stale(t)
			timing := r.Header.Get("Server-Timing")
			wantLookups(t, e, tc.lookups)
			if !tc.wantStale {
				if gatewaytest.OrdersOf(t, s.Data) != "" || len(s.Errors) != 1 || s.Errors[0].Code() != "UPSTREAM_ERROR" || len(s.Extensions.Stale) != 0 {
					t.Errorf("got %s; want orders null with UPSTREAM_ERROR, nothing stale", r.Body)
				}
				if strings.Contains(timing, "stale-") {
					t.Errorf("Server-Timing %q marks a field stale", timing)
				}
				return
			}
			if got, want := gatewaytest.OrdersOf(t, s.Data), gatewaytest.OrdersOf(t, good.GQL.Data); got != want || len(s.Errors) != 0 {
				t.Errorf("got %s; want the orders %s and no error", r.Body, want)
			}
			if len(s.Extensions.Stale) != 1 {
				t.Fatalf("extensions.stale of %s: want one entry", r.Body)
			}
			st := s.Extensions.Stale[0]
			if path, _ := json.Marshal(st.Path); string(path) != `["dashboard","orders"]` || st.Service != "orders" || st.AgeMs < 0 || st.AgeMs > time.Minute.Milliseconds() {
				t.Errorf("stale entry %+v; want path [dashboard orders], service orders, a small age", st)
			}
			if !regexp.MustCompile(`(^|, )stale-orders;dur=0;desc="age \d+ms"`).MatchString(timing) {
				t.Errorf("Server-Timing %q: want a stale-orders entry", timing)
			}
		})
	}
}

// A kept answer is never served to another subject: with authentication
// on, an admin's answer about u1 is not u1's, nor u1's the admin's.
func TestCacheIsPerSubject(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,cache=1h,stale-if-error=1h"},
		Edit:     func(o *config.Config) { o.Auth.Secret = gatewaytest.Secret },
	})
	admin := "Bearer " + gatewaytest.Token(t, "ops-1", time.Hour, "dashboard:admin", []byte(gatewaytest.Secret))
	user := "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret))
	vars := map[string]any{"id": "u1", "n": 2}
	if r := e.Post(t, ordersQuery, vars, "Authorization", admin); len(r.GQL.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("admin: %d %s", r.Status, r.Body)
	}
	calls := e.Sim.Stats(simulator.Orders).Calls
	if r := e.Post(t, ordersQuery, vars, "Authorization", user); len(r.GQL.Errors) > 0 {
		t.Fatalf("u1: %s", r.Body)
	}
	if got := e.Sim.Stats(simulator.Orders).Calls; got != calls+1 {
		t.Errorf("u1 was served the admin's fresh answer: orders calls %d; want %d", got, calls+1)
	}
	failOrders(e)
	other := "Bearer " + gatewaytest.Token(t, "ops-2", time.Hour, "dashboard:admin", []byte(gatewaytest.Secret))
	r := e.Post(t, ordersQuery, vars, "Authorization", other)
	if s := r.Stale(t); gatewaytest.OrdersOf(t, s.Data) != "" || len(s.Extensions.Stale) != 0 {
		t.Errorf("another admin was served a kept answer: %s", r.Body)
	}
}

// POST /admin/cache/invalidate?user=<id> on the admin listener drops the
// user's answers: the next failure is a failure.
func TestCacheInvalidation(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"}})
	vars := map[string]any{"id": "u1", "n": 2}
	e.Post(t, ordersQuery, vars)
	e.Post(t, ordersQuery, map[string]any{"id": "u2", "n": 2})
	for _, tc := range []struct {
		method, query string
		status        int
	}{
		{http.MethodPost, "", http.StatusBadRequest},
		{http.MethodPost, "?user=" + strings.Repeat("x", 300), http.StatusBadRequest},
		{http.MethodPost, "?user=u%0A1", http.StatusBadRequest},
		{http.MethodGet, "?user=u1", http.StatusMethodNotAllowed},
		{http.MethodPost, "?user=u1", http.StatusOK},
	} {
		req, _ := http.NewRequest(tc.method, e.AdminURL+"/admin/cache/invalidate"+tc.query, nil)
		req.Header.Set("Content-Type", "application/json") // what a state-changing admin route takes
		resp, err := e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: got %d; want %d", tc.method, tc.query, resp.StatusCode, tc.status)
		}
	}
	failOrders(e)
	if s := e.Post(t, ordersQuery, vars).Stale(t); gatewaytest.OrdersOf(t, s.Data) != "" || len(s.Extensions.Stale) != 0 {
		t.Errorf("u1's answer survived its invalidation")
	}
	if s := e.Post(t, ordersQuery, map[string]any{"id": "u2", "n": 2}).Stale(t); gatewaytest.OrdersOf(t, s.Data) == "" || len(s.Extensions.Stale) != 1 {
		t.Errorf("u2's answer went with u1's")
	}
}

// An answer larger than -cache-max-entry-bytes is not kept.
func TestCacheOversizeNotKept(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"},
		Edit:     func(o *config.Config) { o.CacheMaxEntryBytes = 200 },
	})
	small := map[string]any{"id": "u1", "n": 0}
	large := map[string]any{"id": "u1", "n": 20}
	e.Post(t, ordersQuery, small)
	e.Post(t, ordersQuery, large)
	failOrders(e)
	if s := e.Post(t, ordersQuery, large).Stale(t); gatewaytest.OrdersOf(t, s.Data) != "" {
		t.Errorf("an answer over the entry cap was kept")
	}
	if s := e.Post(t, ordersQuery, small).Stale(t); gatewaytest.OrdersOf(t, s.Data) == "" || len(s.Extensions.Stale) != 1 {
		t.Errorf("a small answer was not kept")
	}
}

// The REST view says which fields it served stale, as "stale".
func TestStaleInRESTView(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"}})
	get := func() (int, map[string]json.RawMessage) {
		resp, err := http.Get(e.URL + "/dashboard/u1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	if status, body := get(); status != 200 || string(body["status"]) != `"success"` || body["stale"] != nil {
		t.Fatalf("healthy: %d %v; want success, nothing stale", status, body)
	}
	failOrders(e)
	status, body := get()
	if status != 200 || string(body["status"]) != `"success"` || !strings.Contains(string(body["stale"]), `"service":"orders"`) {
		t.Errorf("orders failing: %d status %s stale %s; want success with orders in stale", status, body["status"], body["stale"])
	}
}
