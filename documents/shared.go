package documents

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Defaults of SharedCache (zero fields take them).
const (
	DefaultSharedTTL      = 24 * time.Hour
	DefaultSharedMaxBytes = 20_000
)

// SharedStore keeps values for every replica (sharedstore.Store).
type SharedStore interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// SharedCache is APQ's cache when replicas share their persisted queries:
// the replica's own cache first, then the shared store, so a query
// registered on one replica is found on every other. It fails open: when
// the store fails (it logs and counts that), a lookup is a miss, which
// costs the client one round trip to send the query again, and a query
// not stored is only this replica's.
type SharedCache struct {
	// Local is this replica's cache, asked first. Required.
	Local graphql.Cache[string]
	// Shared is the store the replicas share. Required.
	Shared SharedStore
	// TTL is how long a query stays in the shared store after it was last
	// registered. Default 24h (DefaultSharedTTL).
	TTL time.Duration
	// MaxBytes is the longest query shared; longer ones stay local.
	// Default 20,000 (DefaultSharedMaxBytes).
	MaxBytes int
}

var _ graphql.Cache[string] = SharedCache{}

// Get implements graphql.Cache: the query under hash.
func (c SharedCache) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.Local.Get(ctx, hash); ok {
		return q, true
	}
	if !isSHA256Hex(hash) { // a client's string: not worth a round trip, nor a key
		return "", false
	}
	b, ok, err := c.Shared.Get(ctx, sharedKey(hash))
	if err != nil || !ok || len(b) > c.maxBytes() || Hash(string(b)) != hash {
		return "", false
	}
	q := string(b)
	c.Local.Add(ctx, hash, q)
	return q, true
}

// Add implements graphql.Cache: it remembers query under hash here and,
// when it is not too long, for every replica.
func (c SharedCache) Add(ctx context.Context, hash, query string) {
	c.Local.Add(ctx, hash, query)
	if len(query) <= c.maxBytes() && isSHA256Hex(hash) {
		ttl := c.TTL
		if ttl <= 0 {
			ttl = DefaultSharedTTL
		}
		_ = c.Shared.Set(ctx, sharedKey(hash), []byte(query), ttl) // failed: this replica's only
	}
}

func (c SharedCache) maxBytes() int {
	if c.MaxBytes <= 0 {
		return DefaultSharedMaxBytes
	}
	return c.MaxBytes
}

// sharedKey is the store's key of a query's hash.
func sharedKey(hash string) string { return "apq:" + hash }

// isSHA256Hex reports whether s looks like a hex SHA-256 hash.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
