package cache_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/cache/storetest"
)

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestMemoryBoundsAndExpiry(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1e9, 0)}
	m := cache.NewMemory(cache.MemoryOptions{MaxBytes: 100, Now: clk.Now})
	for i := range 5 { // 5 x (2 + 30) bytes: the oldest two go
		_ = m.Set(ctx, fmt.Sprintf("k%d", i), bytes.Repeat([]byte("x"), 30), time.Minute)
	}
	for i, want := range []bool{false, false, true, true, true} {
		if _, ok, _ := m.Get(ctx, fmt.Sprintf("k%d", i)); ok != want {
			t.Errorf("k%d kept: got %v; want %v", i, ok, want)
		}
	}
	_ = m.Set(ctx, "big", make([]byte, 200), time.Minute)
	if _, ok, _ := m.Get(ctx, "big"); ok {
		t.Errorf("a value larger than the store was kept")
	}
	clk.add(time.Minute)
	if _, ok, _ := m.Get(ctx, "k4"); ok {
		t.Errorf("k4 outlived its ttl")
	}
}

func TestMemoryCounters(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemory(cache.MemoryOptions{MaxCounters: 2})
	for want := int64(1); want <= 3; want++ {
		if n, _ := m.Incr(ctx, "a"); n != want {
			t.Errorf("Incr a: got %d; want %d", n, want)
		}
	}
	if v, ok, _ := m.Get(ctx, "a"); !ok || string(v) != "3" {
		t.Errorf("Get a: got %q %v; want 3", v, ok)
	}
	_ = m.Set(ctx, "entry", []byte("v"), time.Minute)
	_, _ = m.Incr(ctx, "b")
	_, _ = m.Incr(ctx, "c") // a third counter: everything is forgotten first
	if _, ok, _ := m.Get(ctx, "entry"); ok {
		t.Errorf("entries survived the counters' bound")
	}
	if n, _ := m.Incr(ctx, "a"); n != 1 {
		t.Errorf("a after the reset: got %d; want 1", n)
	}
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1e9, 0)}
	c := cache.New(cache.Options{MaxEntryBytes: 8 << 10, CompressAbove: 100, Now: clk.Now})
	key := cache.Key{Service: "orders", Op: "get orders", Target: "/users/u1/orders", Subject: "u1", Users: []string{"u1"}}
	for _, tc := range []struct {
		name  string
		value []byte
		kept  bool
	}{
		{"small", []byte(`{"a":1}`), true},
		{"compressible", []byte(strings.Repeat(`{"id":"o-u1-1"},`, 200)), true},
		{"over the cap", bytes.Repeat([]byte("y"), 9<<10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := key
			k.Target += "?" + tc.name
			if got := c.Put(ctx, k, tc.value, time.Hour); got != tc.kept {
				t.Fatalf("Put: got %v; want %v", got, tc.kept)
			}
			clk.add(time.Second)
			v, age, ok := c.Get(ctx, k)
			if ok != tc.kept || (ok && (!bytes.Equal(v, tc.value) || age != time.Second)) {
				t.Errorf("Get: got %d bytes, age %v, %v; want the value, 1s old, %v", len(v), age, ok, tc.kept)
			}
		})
	}
	other := key
	other.Subject = "u2"
	if _, _, ok := c.Get(ctx, other); ok {
		t.Errorf("another subject got u1's entry")
	}
	if err := c.Invalidate(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	k := key
	k.Target += "?small"
	if _, _, ok := c.Get(ctx, k); ok {
		t.Errorf("u1's entry survived its invalidation")
	}
}

// BenchmarkPut measures keeping a typical answer raw and compressed, for
// DefaultCompressAbove.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{512, 2 << 10, 16 << 10} {
		value := []byte(strings.Repeat(`{"id":"o-u1-12","status":"DELIVERED","total":{"amountMinor":1234}},`, size/64+1)[:size])
		for _, above := range []int{-1, 1} {
			name := fmt.Sprintf("%dB/raw", size)
			if above > 0 {
				name = fmt.Sprintf("%dB/flate", size)
			}
			b.Run(name, func(b *testing.B) {
				c := cache.New(cache.Options{CompressAbove: above})
				key := cache.Key{Service: "orders", Target: "/x", Subject: "u1"}
				b.ReportAllocs()
				for b.Loop() {
					c.Put(ctx, key, value, time.Minute)
					c.Get(ctx, key)
				}
			})
		}
	}
}

func TestMemoryMany(t *testing.T) {
	storetest.TestMany(t, cache.NewMemory(cache.MemoryOptions{}))
}
