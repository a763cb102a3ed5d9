package sharedstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/cache/storetest"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

func TestStoreMany(t *testing.T) {
	storetest.TestMany(t, newStore(t, redistest.Start(t).URL(), nil))
}

// A GetMany is one MGET and a SetMany one pipeline, whatever their keys:
// each one call for the metrics (and the breaker).
func TestStoreManyIsOneCall(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	s := newStore(t, srv.URL(), reg)
	ctx := context.Background()
	const n = 50
	entries := make([]cache.Entry, n)
	keys := make([]string, n)
	for i := range entries {
		keys[i] = fmt.Sprintf("k%d", i)
		entries[i] = cache.Entry{Key: keys[i], Value: []byte("v")}
	}
	if err := s.SetMany(ctx, entries, time.Minute); err != nil {
		t.Fatalf("SetMany: %v", err)
	}
	if _, err := s.GetMany(ctx, keys); err != nil {
		t.Fatalf("GetMany: %v", err)
	}
	stats := commandStats(t, srv)
	for cmd, want := range map[string]string{"mget": "calls=1,", "get": "", "set": fmt.Sprintf("calls=%d,", n)} {
		if got := stats[cmd]; !strings.HasPrefix(got, want) || (want == "" && got != "") {
			t.Errorf("INFO commandstats of %s: got %q; want %q...", cmd, got, want)
		}
	}
	for _, op := range []string{"get_many", "set_many"} {
		if got := calls(t, reg, op, "ok"); got != 1 {
			t.Errorf(`gateway_redis_calls_total{op=%q,outcome="ok"}: got %v; want 1`, op, got)
		}
	}
}

// With Redis down, GetMany and SetMany fail, as Get and Set do, each
// one failure for the breaker: after DefaultTripAfter of them it refuses.
func TestStoreManyWhenRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, srv.URL(), nil)
	ctx := context.Background()
	srv.Stop()
	keys := []string{"a", "b", "c"}
	for i := range sharedstore.DefaultTripAfter {
		var err error
		if i%2 == 0 {
			_, err = s.GetMany(ctx, keys)
		} else {
			err = s.SetMany(ctx, []cache.Entry{{Key: "a"}, {Key: "b"}}, time.Minute)
		}
		if err == nil || errors.Is(err, sharedstore.ErrUnavailable) {
			t.Fatalf("call %d with Redis down: got %v; want a failure of Redis", i, err)
		}
	}
	if _, err := s.GetMany(ctx, keys); !errors.Is(err, sharedstore.ErrUnavailable) {
		t.Errorf("GetMany after %d failed calls: got %v; want ErrUnavailable", sharedstore.DefaultTripAfter, err)
	}
}

// commandStats returns INFO commandstats of srv by command:
// "calls=N,usec=...".
func commandStats(tb testing.TB, srv *redistest.Server) map[string]string {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatalf("INFO commandstats: %v", err)
	}
	out := map[string]string{}
	for line := range strings.Lines(info) {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if cmd, found := strings.CutPrefix(name, "cmdstat_"); ok && found {
			out[cmd] = stats
		}
	}
	return out
}

// calls returns gateway_redis_calls_total{op,outcome} of reg.
func calls(tb testing.TB, reg *prometheus.Registry, op, outcome string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gateway_redis_calls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["op"] == op && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	tb.Fatalf("no gateway_redis_calls_total{op=%q,outcome=%q}", op, outcome)
	return 0
}
