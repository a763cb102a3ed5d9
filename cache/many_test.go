package cache_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/cache/storetest"
)

// GetMany and PutMany make one Store call for the generations and one for
// the answers (per MaxKeys), keep Put's keys, and say of each key what
// they found.
func TestCacheMany(t *testing.T) {
	ctx := context.Background()
	mem := cache.NewMemory(cache.MemoryOptions{})
	store := &storetest.Counting{Store: mem}
	h := &heard{}
	c := cache.New(cache.Options{Store: store, MaxEntryBytes: 1 << 10, CompressAbove: 100, Observer: h})
	key := func(user string) cache.Key {
		return cache.Key{Service: "profile", Op: "get users", Target: "id " + user, Subject: "ops", Users: []string{user}}
	}
	compressible := []byte(strings.Repeat(`{"id":"u2"},`, 50))
	kept := c.PutMany(ctx, []cache.Answer{
		{Key: key("u1"), Value: []byte(`{"id":"u1"}`)},
		{Key: key("u2"), Value: compressible},
		{Key: key("u3"), Value: make([]byte, 2<<10)}, // over the cap
	}, time.Hour)
	if kept != 2 {
		t.Errorf("PutMany: got %d kept; want 2", kept)
	}
	if got, want := store.Took(), map[string]int{"GetMany": 1, "SetMany": 1}; !maps.Equal(got, want) {
		t.Errorf("PutMany's Store calls: got %v; want %v", got, want)
	}
	// Put's key, as written before GetMany: the generations of the
	// subject and the user, none yet.
	if v, _ := mem.GetMany(ctx, []string{"v1\x1fprofile\x1fget users\x1fid u1\x1fops\x1f0\x1f0"}); v[0] == nil {
		t.Errorf("u1's answer is not under the key Put used")
	}
	found := c.GetMany(ctx, []cache.Key{key("u2"), key("u3"), key("u1")})
	if got, want := store.Took(), map[string]int{"GetMany": 2}; !maps.Equal(got, want) {
		t.Errorf("GetMany's Store calls: got %v; want %v", got, want)
	}
	for i, want := range []struct {
		value   []byte
		outcome cache.Outcome
	}{{compressible, ""}, {nil, cache.OutcomeMiss}, {[]byte(`{"id":"u1"}`), ""}} {
		if f := found[i]; !bytes.Equal(f.Value, want.value) || f.Outcome != want.outcome || f.OK() != (want.outcome == "") {
			t.Errorf("GetMany[%d]: got %q, %q; want %q, %q", i, f.Value, f.Outcome, want.value, want.outcome)
		}
	}
	if want := []string{"profile not_kept"}; !slices.Equal(h.got, want) {
		t.Errorf("heard %q; want %q: GetMany reports nothing", h.got, want)
	}
	if err := c.Invalidate(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if f := c.GetMany(ctx, []cache.Key{key("u1"), key("u2")}); f[0].OK() || !f[1].OK() {
		t.Errorf("after invalidating u1: found u1 %v, u2 %v; want u2 only", f[0].OK(), f[1].OK())
	}
	many := make([]cache.Key, 2*cache.MaxKeys)
	for i := range many {
		many[i] = cache.Key{Service: "catalog", Target: fmt.Sprintf("id p%d", i)}
	}
	store.Took()
	c.GetMany(ctx, many)
	if got, want := store.Took(), map[string]int{"GetMany": 3}; !maps.Equal(got, want) {
		t.Errorf("GetMany of %d keys of one subject: Store calls %v; want %v (one generation, answers by MaxKeys)", len(many), got, want)
	}
}

// A Store that fails costs every key of a GetMany or PutMany an error,
// logged once.
func TestCacheManyStoreFails(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	h := &heard{}
	c := cache.New(cache.Options{Store: brokenStore{}, Observer: h, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	keys := []cache.Key{{Service: "catalog", Target: "id p1"}, {Service: "catalog", Target: "id p2"}}
	for i, f := range c.GetMany(ctx, keys) {
		if f.OK() || f.Outcome != cache.OutcomeError {
			t.Errorf("GetMany[%d] with the store down: got %q; want an error", i, f.Outcome)
		}
	}
	if n := c.PutMany(ctx, []cache.Answer{{Key: keys[0], Value: []byte("a")}, {Key: keys[1], Value: []byte("b")}}, time.Minute); n != 0 {
		t.Errorf("PutMany with the store down: got %d kept; want 0", n)
	}
	if want := []string{"catalog error", "catalog error"}; !slices.Equal(h.got, want) {
		t.Errorf("heard %q; want %q (PutMany's; GetMany's are the caller's to report)", h.got, want)
	}
	for _, msg := range []string{"cache get failed", "cache put failed"} {
		if n := strings.Count(logs.String(), msg); n != 1 {
			t.Errorf("%q logged %d times; want once", msg, n)
		}
	}
}
