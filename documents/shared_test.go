package documents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// startStore starts a Redis and a store on it, closed when the test ends.
func startStore(tb testing.TB) (*redistest.Server, *sharedstore.Store) {
	tb.Helper()
	srv := redistest.Start(tb)
	store, err := sharedstore.New(sharedstore.Options{URL: srv.URL(), Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return srv, store
}

// TestSharedCache checks what a replica finds in Redis that another
// registered, and what it never trusts or stores.
func TestSharedCache(t *testing.T) {
	srv, store := startStore(t)
	ctx := context.Background()
	replica := func() documents.SharedCache {
		return documents.SharedCache{Local: lru.New[string](10), Shared: store, MaxBytes: 100}
	}
	a, b := replica(), replica()
	short, long := `{ a }`, `{ `+strings.Repeat("a ", 60)+`}`
	a.Add(ctx, documents.Hash(short), short)
	a.Add(ctx, documents.Hash(long), long)
	// Another replica's query under a hash that does not match it: what a
	// tampered store would hold.
	if err := store.Set(ctx, "apq:"+documents.Hash(`{ b }`), []byte(`{ c }`), time.Minute); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash string
		want       bool
	}{
		{"registered on another replica", documents.Hash(short), true},
		{"longer than MaxBytes: that replica's only", documents.Hash(long), false},
		{"a stored query that does not match its hash", documents.Hash(`{ b }`), false},
		{"not a SHA-256 hash", "abc", false},
	}
	for _, tt := range tests {
		if _, ok := b.Get(ctx, tt.hash); ok != tt.want {
			t.Errorf("%s: Get: got found %v; want %v", tt.name, ok, tt.want)
		}
	}
	if _, ok := a.Get(ctx, documents.Hash(long)); !ok {
		t.Errorf("the long query on the replica that registered it: got a miss; want it found")
	}
	srv.Stop()
	if _, ok := replica().Get(ctx, documents.Hash(short)); ok {
		t.Errorf("Get with Redis down on a fresh replica: got found; want a miss")
	}
	if _, ok := b.Get(ctx, documents.Hash(short)); !ok {
		t.Errorf("Get with Redis down of a query this replica found before: got a miss; want its own copy")
	}
}

// TestSharedCacheBudget checks that the replicas together store at most
// Budget queries per TTL in Redis; the others stay with the replica that
// got them.
func TestSharedCacheBudget(t *testing.T) {
	_, store := startStore(t)
	ctx := context.Background()
	const budget = 3
	replica := func() documents.SharedCache {
		return documents.SharedCache{Local: lru.New[string](10), Shared: store, TTL: time.Hour, Budget: budget}
	}
	a, b, other := replica(), replica(), replica()
	for i := range 2 * budget {
		q := fmt.Sprintf(`query Q%d { a }`, i)
		[]documents.SharedCache{a, b}[i%2].Add(ctx, documents.Hash(q), q) // across replicas
		_, shared := other.Get(ctx, documents.Hash(q))
		if want := i < budget; shared != want {
			t.Errorf("registration %d of a budget of %d, on another replica: got found %v; want %v", i, budget, shared, want)
		}
		if _, local := []documents.SharedCache{a, b}[i%2].Get(ctx, documents.Hash(q)); !local {
			t.Errorf("registration %d on the replica that got it: got a miss; want its own copy", i)
		}
	}
}
