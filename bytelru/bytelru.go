// Package bytelru is a least-recently-used cache bounded by the bytes its
// entries are estimated to take, and optionally by their count, for the
// gateway's caches of client-chosen keys (parsed documents, the fast
// path's analyses and plans, persisted queries), whose entries differ in
// size by orders of magnitude: a bound on their count alone bounds
// nothing. It does not measure anything: the caller's size function
// estimates each entry, and the cache adds its own bookkeeping.
//
// With string keys, a *Cache implements gqlgen's graphql.Cache.
package bytelru

import (
	"context"
	"math"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// EntryOverhead is what the cache's bookkeeping costs per entry, added to
// the size function's estimate: the list element and the map slot.
const EntryOverhead = 128

// Cache is a least-recently-used cache whose entries' estimated bytes stay
// within a budget. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[K, entry[V]]
	size     func(K, V) int
	bytes    int
	maxBytes int
}

type entry[V any] struct {
	value V
	size  int
}

// New returns a cache that keeps entries while their sizes, as size
// estimates them plus EntryOverhead each, add up to at most maxBytes, and
// (when maxEntries > 0) at most maxEntries of them; the least recently
// used go first. An entry larger than maxBytes alone is not kept.
// maxBytes must be positive.
func New[K comparable, V any](maxBytes, maxEntries int, size func(K, V) int) *Cache[K, V] {
	if maxBytes <= 0 {
		panic("bytelru: maxBytes must be positive")
	}
	if maxEntries <= 0 {
		maxEntries = math.MaxInt
	}
	c := &Cache[K, V]{size: size, maxBytes: maxBytes}
	c.lru, _ = simplelru.NewLRU(maxEntries, func(_ K, e entry[V]) { c.bytes -= e.size })
	return c
}

// Get returns the value of key, if kept, and marks it as used. ctx is
// unused (graphql.Cache's signature).
func (c *Cache[K, V]) Get(_ context.Context, key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(key)
	return e.value, ok
}

// Add keeps value under key, replacing any value it had, and drops the
// least recently used entries until the budget holds. A value larger than
// the whole budget is not kept (and the key's previous value goes). ctx is
// unused (graphql.Cache's signature).
func (c *Cache[K, V]) Add(_ context.Context, key K, value V) {
	n := c.size(key, value) + EntryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key) // its size goes with it
	if n > c.maxBytes {
		return
	}
	c.lru.Add(key, entry[V]{value: value, size: n})
	c.bytes += n
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
}

// Bytes returns the estimated bytes of the entries kept.
func (c *Cache[K, V]) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len returns how many entries are kept.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
