package documents

import (
	"cmp"
	"context"
	"encoding/hex"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Defaults of SharedCache (zero fields take them). Together they bound
// what persisted queries hold in the shared store: at most twice
// DefaultSharedBudget queries (a burst of the budget, then the budget per
// TTL) of at most DefaultSharedMaxBytes each, about 40 MB.
const (
	DefaultSharedTTL      = time.Hour
	DefaultSharedMaxBytes = 20_000
	DefaultSharedBudget   = 1000
)

// SharedStore keeps values for every replica and counts across them
// (sharedstore.Store).
type SharedStore interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
}

// SharedCache is APQ's cache when replicas share their persisted queries:
// the replica's own cache first, then the shared store, so a query
// registered on one replica is found on every other. It fails open: when
// the store fails (it logs and counts that), a lookup is a miss, which
// costs the client one round trip to send the query again, and a query
// not stored is only this replica's. What it stores is bounded whoever
// registers: each query for TTL from its registration (a lookup does not
// extend it, else anyone could keep any number alive), at most Budget
// registrations per TTL across the replicas, each at most MaxBytes; past
// the budget a query is only this replica's.
type SharedCache struct {
	// Local is this replica's cache, asked first. Required.
	Local graphql.Cache[string]
	// Shared is the store the replicas share. Required.
	Shared SharedStore
	// TTL is how long a query stays in the shared store after it was
	// registered. Default 1h (DefaultSharedTTL).
	TTL time.Duration
	// MaxBytes is the longest query shared; longer ones stay local.
	// Default 20,000 (DefaultSharedMaxBytes).
	MaxBytes int
	// Budget is how many queries all the replicas together may store per
	// TTL (after a burst of as many); the others stay local. Default 1,000
	// (DefaultSharedBudget).
	Budget int
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
	if len(query) > c.maxBytes() || !isSHA256Hex(hash) {
		return
	}
	ttl := cmp.Or(c.TTL, DefaultSharedTTL)
	// Failed (logged by the store): not shared either, Redis is failing.
	if ok, err := c.Shared.Allow(ctx, budgetKey, cmp.Or(c.Budget, DefaultSharedBudget), ttl); err != nil || !ok {
		return
	}
	_ = c.Shared.Set(ctx, sharedKey(hash), []byte(query), ttl) // failed: this replica's only
}

// budgetKey is the store's rate-limit key of the registrations of all
// replicas; clients' keys start with "addr:" or "sub:".
const budgetKey = "apq"

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
