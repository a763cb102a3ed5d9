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

func newStore(tb testing.TB, url string, reg prometheus.Registerer) *sharedstore.Store {
	tb.Helper()
	s, err := sharedstore.New(sharedstore.Options{URL: url, Timeout: 200 * time.Millisecond, OpenFor: 100 * time.Millisecond, Registry: reg})
	if err != nil {
		tb.Fatalf("New(%q): %v", url, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Every operation works on a single Redis.
func TestStoreOperations(t *testing.T) {
	checkOperations(t, newStore(t, redistest.Start(t).URL(), nil))
}

// checkOperations checks each operation of s, which starts empty.
func checkOperations(t *testing.T, s *sharedstore.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, ok, err := s.Get(ctx, "absent"); ok || err != nil {
		t.Fatalf("Get(absent): got ok %v, err %v; want a miss without error", ok, err)
	}
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if v, ok, err := s.Get(ctx, "k"); !ok || err != nil || string(v) != "v" {
		t.Fatalf("Get(k): got %q, %v, %v; want v", v, ok, err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := s.Incr(ctx, "gen"); n != want || err != nil {
			t.Fatalf("Incr #%d: got %d, %v; want %d", want, n, err, want)
		}
	}
	checkAllow(t, s)
	storetest.TestMany(t, s)
}

// checkAllow checks Allow's GCRA: 10 per hour is a burst of 10, then
// nothing for 6 minutes.
func checkAllow(t *testing.T, s *sharedstore.Store) {
	t.Helper()
	ctx := context.Background()
	allowed := 0
	for range 15 {
		ok, err := s.Allow(ctx, "client", 10, time.Hour)
		if err != nil {
			t.Fatalf("Allow: %v", err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 10 {
		t.Errorf("Allow 15 times at 10 per hour: got %d allowed; want 10", allowed)
	}
	if ok, _ := s.Allow(ctx, "other", 10, time.Hour); !ok {
		t.Errorf("Allow(other): got denied; want keys counted apart")
	}
	if _, err := s.Allow(ctx, "client", 0, time.Hour); err == nil {
		t.Errorf("Allow with limit 0: got no error; want one")
	}
}

// TestStoreFailsFastWhenRedisIsDown checks the breaker: after a few
// failures calls are refused at once, and once Redis is back they pass
// again.
func TestStoreFailsFastWhenRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	s := newStore(t, srv.URL(), reg)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	srv.Stop()
	for range sharedstore.DefaultTripAfter {
		if _, _, err := s.Get(ctx, "k"); err == nil {
			t.Fatal("Get with Redis down: got no error")
		}
	}
	start := time.Now()
	_, _, err := s.Get(ctx, "k")
	if !errors.Is(err, sharedstore.ErrUnavailable) {
		t.Fatalf("Get after %d failures: got %v; want ErrUnavailable", sharedstore.DefaultTripAfter, err)
	}
	if d := time.Since(start); d > 5*time.Millisecond {
		t.Errorf("Get with the breaker open took %v; want at once", d)
	}
	if got := metricValue(t, reg, "gateway_redis_breaker_state", map[string]string{"state": "open"}); got != 1 {
		t.Errorf(`gateway_redis_breaker_state{state="open"}: got %v; want 1`, got)
	}
	srv.Restart()
	waitFor(t, func() bool { return s.Ping(ctx) == nil })
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Errorf("Set after the restart: %v", err)
	}
}

// metricValue returns the value of the gauge or counter name in reg
// whose labels include labels.
func metricValue(tb testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue metric
				}
			}
			return m.GetGauge().GetValue() + m.GetCounter().GetValue() // a nil one's value is 0
		}
	}
	tb.Fatalf("no metric %s%v", name, labels)
	return 0
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, want string // want: the mode, or "error"
	}{
		{"redis://127.0.0.1:6379", "single"},
		{"rediss://user:pw@redis.example.com:6380/2", "single"},
		{"redis://s1:26379?master_name=main&addr=s2:26379", "sentinel"},
		{"redis://n1:7000?addr=n2:7000&addr=n3:7000", "cluster"},
		{"redis://n1:7000?cluster=true", "cluster"},
		{"http://127.0.0.1:6379", "error"},
		{"redis://", "error"},
		{"redis://127.0.0.1:6379?bogus=1", "error"},
		{"redis://u:secret@127.0.0.1:6379/notadb", "error"},
		{"redis://s1:26379?master_name=main&password=secret&dial_timeout=bogus", "error"},
		{"redis://s1:26379?master_name=main&username=u&password=secret&bogus=1", "error"},
		{"redis://n1:7000?cluster=true&password=secret&pool_size=many", "error"},
	}
	for _, tt := range tests {
		o, err := sharedstore.ParseURL(tt.url)
		got := "error"
		switch {
		case err != nil:
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURL(%q): error %q shows the password", tt.url, err)
			}
		case o.MasterName != "":
			got = "sentinel"
		case o.IsClusterMode:
			got = "cluster"
		default:
			got = "single"
		}
		if got != tt.want {
			t.Errorf("ParseURL(%q): got %s (%v); want %s", tt.url, got, err, tt.want)
		}
	}
}

// waitFor polls cond until it holds, for 10s at most.
func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			tb.Fatal("condition not met in 10s")
		}
	}
}

// A GetMany is one MGET and a SetMany one pipeline, whatever their keys:
// each one call for the metrics (and the breaker).
func TestStoreManyIsOneCall(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	s := newStore(t, srv.URL(), reg)
	ctx := context.Background()
	const n = 50
	keys, entries := manyEntries("k", n)
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
		if got := metricValue(t, reg, "gateway_redis_calls_total", map[string]string{"op": op, "outcome": "ok"}); got != 1 {
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

// manyEntries returns n keys, prefix and a number, and entries holding
// each key's name under it.
func manyEntries(prefix string, n int) ([]string, []cache.Entry) {
	keys := make([]string, n)
	entries := make([]cache.Entry, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s%d", prefix, i)
		entries[i] = cache.Entry{Key: keys[i], Value: []byte(keys[i])}
	}
	return keys, entries
}

// Every op's series exist from the start, at zero, so that an alert on the
// share of failed calls is defined before the first failure.
func TestStoreMetricsStartAtZero(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	newStore(t, srv.URL(), reg)
	for _, op := range []string{"get", "allow", "set_many"} {
		for _, outcome := range []string{"timeout", "error", "breaker_open"} {
			if got := metricValue(t, reg, "gateway_redis_calls_total", map[string]string{"op": op, "outcome": outcome}); got != 0 {
				t.Errorf("gateway_redis_calls_total{op=%q,outcome=%q}: got %v; want 0", op, outcome, got)
			}
		}
	}
}
