package cache_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
)

// heard is an Observer that keeps what it hears, as "service outcome".
type heard struct {
	mu  sync.Mutex
	got []string
}

func (h *heard) Lookup(service string, o cache.Outcome) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, service+" "+string(o))
}

// brokenStore fails every call, or, with entry set, serves entry for
// every key.
type brokenStore struct{ entry []byte }

var errBroken = errors.New("store down")

func (s brokenStore) Get(context.Context, string) ([]byte, bool, error) {
	if s.entry != nil {
		return s.entry, true, nil
	}
	return nil, false, errBroken
}
func (s brokenStore) GetMany(_ context.Context, keys []string) ([][]byte, error) {
	if s.entry == nil {
		return nil, errBroken
	}
	out := make([][]byte, len(keys))
	for i := range out {
		out[i] = s.entry
	}
	return out, nil
}
func (brokenStore) Set(context.Context, string, []byte, time.Duration) error { return errBroken }
func (brokenStore) SetMany(context.Context, []cache.Entry, time.Duration) error {
	return errBroken
}
func (brokenStore) Incr(context.Context, string) (int64, error) { return 0, errBroken }

// What the Observer hears of each use of the cache.
func TestCacheObserver(t *testing.T) {
	ctx := context.Background()
	key := cache.Key{Service: "orders", Target: "/users/u1/orders", Subject: "u1", Users: []string{"u1"}}
	small, large := []byte(`{"a":1}`), make([]byte, 2<<10)
	tests := []struct {
		name  string
		store cache.Store // nil: a Memory store
		use   func(c *cache.Cache)
		want  []string
	}{
		{"nothing kept", nil, func(c *cache.Cache) { c.Get(ctx, key) }, []string{"orders miss"}},
		{"kept, found: the caller reports", nil, func(c *cache.Cache) {
			c.Put(ctx, key, small, time.Minute)
			c.Get(ctx, key)
		}, nil},
		{"served fresh", nil, func(c *cache.Cache) { c.Report("orders", cache.OutcomeFresh) }, []string{"orders fresh"}},
		{"served stale", nil, func(c *cache.Cache) { c.Report("orders", cache.OutcomeStale) }, []string{"orders stale"}},
		{"too large to keep", nil, func(c *cache.Cache) { c.Put(ctx, key, large, time.Minute) }, []string{"orders not_kept"}},
		{"no time to keep", nil, func(c *cache.Cache) { c.Put(ctx, key, large, 0) }, nil},
		{"the store fails a get", brokenStore{}, func(c *cache.Cache) { c.Get(ctx, key) }, []string{"orders error"}},
		{"the store fails a put", brokenStore{}, func(c *cache.Cache) { c.Put(ctx, key, small, time.Minute) }, []string{"orders error"}},
		{"an unreadable entry", brokenStore{entry: []byte{9}}, func(c *cache.Cache) { c.Get(ctx, key) }, []string{"orders error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &heard{}
			tc.use(cache.New(cache.Options{Store: tc.store, MaxEntryBytes: 1 << 10, Observer: h}))
			if !slices.Equal(h.got, tc.want) {
				t.Errorf("heard %q; want %q", h.got, tc.want)
			}
		})
	}
}
