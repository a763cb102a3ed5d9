package acceptance_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/ratelog"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// fakeClock is a clock the test moves; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// TestRedisDownLogsBounded sends n requests while Redis is down, each of
// which fails to keep its answer there (and, until the breaker opens, to
// count its rate limit): within one interval each warning is written once;
// the first after the interval says how many were dropped.
func TestRedisDownLogsBounded(t *testing.T) {
	const n = 200
	srv := redistest.Start(t)
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	e := gatewaytest.New(t, gatewaytest.Options{LogClock: clock.now,
		Policies: map[downstream.Service]string{downstream.Orders: "attempts=1,stale-if-error=1h"},
		Edit: func(c *config.Config) {
			c.Redis.URL = srv.URL()
			c.LogRepeatInterval = 10 * time.Second
			c.RateLimit = gateway.RateLimit{Requests: 10 * n, Window: time.Minute}
		}})
	srv.Stop()
	vars := map[string]any{"id": "u7", "n": 2}
	for i := range n {
		if r := e.Post(t, ordersQuery, vars); r.Status != 200 || len(r.GQL.Errors) > 0 {
			t.Fatalf("request %d with Redis down: got %d %s; want the data", i, r.Status, r.Body)
		}
	}
	warnings := func() map[string][]map[string]any {
		out := map[string][]map[string]any{}
		for _, l := range e.Logs.Lines() {
			if l["level"] == "WARN" {
				msg, _, _ := strings.Cut(fmt.Sprint(l["msg"]), " (") // without the count of those dropped
				k := fmt.Sprint(msg, " ", l["op"], l["service"])
				out[k] = append(out[k], l)
			}
		}
		return out
	}
	const putFailed = "cache put failed <nil>orders" // one per request: each answer is kept
	first := warnings()
	total := 0
	for k, ls := range first {
		total += len(ls)
		if len(ls) != 1 {
			t.Errorf("%d requests in one interval: %d lines of %q; want 1", n, len(ls), k)
		}
	}
	if len(first[putFailed]) != 1 || total > 6 {
		t.Errorf("%d requests with Redis down: %d warning lines %v; want one %q among at most 6", n, total, first, putFailed)
	}

	clock.add(10 * time.Second)
	e.Post(t, ordersQuery, vars)
	after := warnings()[putFailed]
	if len(after) != 2 {
		t.Fatalf("after the interval, one more request: %d lines of %q; want 2", len(after), putFailed)
	}
	if got := after[1][ratelog.SuppressedKey]; got != float64(n-1) {
		t.Errorf("after the interval: %s = %v in %s; want %d", ratelog.SuppressedKey, got, after[1]["_raw"], n-1)
	}
}
