package storetest

import (
	"context"
	"sync"
	"time"

	"github.com/acme/dashboard-gateway/cache"
)

// Counting is a cache.Store that counts the calls to the Store it wraps,
// by method: each call of a remote store is one round trip.
type Counting struct {
	cache.Store

	mu    sync.Mutex
	calls map[string]int
}

// Took returns the calls counted since the last Took, by method
// ("Get", "GetMany", ...).
func (s *Counting) Took() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

func (s *Counting) count(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[method]++
}

// Get implements cache.Store.
func (s *Counting) Get(ctx context.Context, key string) ([]byte, bool, error) {
	s.count("Get")
	return s.Store.Get(ctx, key)
}

// Set implements cache.Store.
func (s *Counting) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.count("Set")
	return s.Store.Set(ctx, key, value, ttl)
}

// Incr implements cache.Store.
func (s *Counting) Incr(ctx context.Context, key string) (int64, error) {
	s.count("Incr")
	return s.Store.Incr(ctx, key)
}

// GetMany implements cache.Store.
func (s *Counting) GetMany(ctx context.Context, keys []string) ([][]byte, error) {
	s.count("GetMany")
	return s.Store.GetMany(ctx, keys)
}

// SetMany implements cache.Store.
func (s *Counting) SetMany(ctx context.Context, entries []cache.Entry, ttl time.Duration) error {
	s.count("SetMany")
	return s.Store.SetMany(ctx, entries, ttl)
}
