package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Store keeps cache entries; the in-memory store and the Redis store implement it.
type Store interface {
	// Get returns the value under key, ok false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Incr adds one to the counter under key (created at 0 with no expiry) and returns it:
	// per-user generations, so that invalidating a user's entries is one call.
	Incr(ctx context.Context, key string) (int64, error)
	// GetMany returns the values under keys, in their order, nil where
	// there is none, in one call (one round trip to a remote store). No
	// keys is no call; more than MaxKeys is ErrTooManyKeys.
	GetMany(ctx context.Context, keys []string) ([][]byte, error)
	// SetMany stores every entry for ttl, as Set does, in one call. No
	// entries is no call; more than MaxKeys is ErrTooManyKeys.
	SetMany(ctx context.Context, entries []Entry, ttl time.Duration) error
}

// Entry is a value under its key, for Store.SetMany.
type Entry struct {
	Key   string
	Value []byte
}

// MaxKeys bounds the keys of one GetMany or SetMany, so that one call
// stays short however large a batch: a batch call of a service carries
// at most contract.MaxBatch (100) ids, and its items' generations are at
// most 101 keys (the subject's and 100 users'), so a batch is one call.
// Cache splits a larger request into calls of MaxKeys.
const MaxKeys = 128

// ErrTooManyKeys is returned, wrapped, by a GetMany or SetMany of more
// than MaxKeys keys.
var ErrTooManyKeys = errors.New("too many keys")

// CheckKeys returns ErrTooManyKeys, wrapped, when n keys are too many
// for one GetMany or SetMany; Stores call it first.
func CheckKeys(n int) error {
	if n > MaxKeys {
		return fmt.Errorf("cache: %d keys in one call, at most %d: %w", n, MaxKeys, ErrTooManyKeys)
	}
	return nil
}

// Defaults of MemoryOptions.
const (
	// DefaultMaxBytes bounds the memory store's entries, keys included.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxCounters bounds the memory store's counters.
	DefaultMaxCounters = 1 << 16
)

// MemoryOptions bound a Memory store.
type MemoryOptions struct {
	// MaxBytes bounds the entries' keys and values together; the least
	// recently used entries go first. Zero means DefaultMaxBytes.
	MaxBytes int
	// MaxCounters bounds the counters (Incr). A counter is never evicted
	// alone: a generation that went back to zero would bring invalidated
	// entries back. When a new counter would pass the bound, the store
	// forgets everything instead, entries and counters. Zero means
	// DefaultMaxCounters.
	MaxCounters int
	// Now is the clock of expiry; nil means time.Now.
	Now func() time.Time
}

// Memory is a Store in the process's memory, bounded by the bytes of its
// entries; entries expire after their ttl. It is safe for concurrent use.
type Memory struct {
	maxBytes, maxCounters int
	now                   func() time.Time

	mu       sync.Mutex
	bytes    int
	lru      *list.List // of *memoryEntry, most recently used first
	entries  map[string]*list.Element
	counters map[string]int64
}

type memoryEntry struct {
	key     string
	value   []byte
	expires time.Time
}

// NewMemory returns an empty Memory store.
func NewMemory(o MemoryOptions) *Memory {
	m := &Memory{maxBytes: o.MaxBytes, maxCounters: o.MaxCounters, now: o.Now}
	if m.maxBytes <= 0 {
		m.maxBytes = DefaultMaxBytes
	}
	if m.maxCounters <= 0 {
		m.maxCounters = DefaultMaxCounters
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.reset()
	return m
}

func (m *Memory) reset() {
	m.bytes = 0
	m.lru = list.New()
	m.entries = map[string]*list.Element{}
	m.counters = map[string]int64{}
}

// Get implements Store. A counter reads as its decimal text, as Redis
// reads a key INCR made.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.get(key)
	return v, ok, nil
}

// GetMany implements Store.
func (m *Memory) GetMany(_ context.Context, keys []string) ([][]byte, error) {
	if err := CheckKeys(len(keys)); err != nil || len(keys) == 0 {
		return nil, err
	}
	out := make([][]byte, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, key := range keys {
		if v, ok := m.get(key); ok {
			if v == nil {
				v = []byte{} // nil is none
			}
			out[i] = v
		}
	}
	return out, nil
}

// get is Get under m.mu.
func (m *Memory) get(key string) ([]byte, bool) {
	if n, ok := m.counters[key]; ok {
		return strconv.AppendInt(nil, n, 10), true
	}
	el, ok := m.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*memoryEntry)
	if !m.now().Before(e.expires) {
		m.remove(el)
		return nil, false
	}
	m.lru.MoveToFront(el)
	return e.value, true
}

// Set implements Store. A value larger than the whole store is not kept.
// The store keeps value as it is: the caller must not change it after.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(key, value, ttl)
	return nil
}

// SetMany implements Store, as Set does for each entry.
func (m *Memory) SetMany(_ context.Context, entries []Entry, ttl time.Duration) error {
	if err := CheckKeys(len(entries)); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range entries {
		m.set(e.Key, e.Value, ttl)
	}
	return nil
}

// set is Set under m.mu.
func (m *Memory) set(key string, value []byte, ttl time.Duration) {
	size := len(key) + len(value)
	if el, ok := m.entries[key]; ok {
		m.remove(el)
	}
	if ttl <= 0 || size > m.maxBytes {
		return
	}
	m.entries[key] = m.lru.PushFront(&memoryEntry{key: key, value: value, expires: m.now().Add(ttl)})
	m.bytes += size
	for m.bytes > m.maxBytes {
		m.remove(m.lru.Back())
	}
}

// Incr implements Store.
func (m *Memory) Incr(_ context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.counters[key]; !ok && len(m.counters) >= m.maxCounters {
		m.reset()
	}
	m.counters[key]++
	return m.counters[key], nil
}

func (m *Memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*memoryEntry)
	delete(m.entries, e.key)
	m.bytes -= len(e.key) + len(e.value)
}
