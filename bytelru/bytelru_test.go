package bytelru_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/bytelru"
)

var _ graphql.Cache[string] = (*bytelru.Cache[string, string])(nil)

func length(_ string, v string) int { return len(v) }

func TestCacheStaysWithinItsBudget(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name       string
		maxBytes   int
		maxEntries int
		sizes      []int // of the values added in turn, under keys k0, k1, ...
		wantKept   []int // indexes of the values still kept
		wantAbsent []int
	}{
		{"all fit", 10_000, 0, []int{100, 200, 300}, []int{0, 1, 2}, nil},
		{"oldest go first", 3*bytelru.EntryOverhead + 600, 0, []int{100, 200, 300, 300}, []int{2, 3}, []int{0, 1}},
		{"too large alone is not kept", 1000, 0, []int{100, 5000}, []int{0}, []int{1}},
		{"entry bound", 1 << 20, 2, []int{1, 1, 1}, []int{1, 2}, []int{0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := bytelru.New[string, string](tt.maxBytes, tt.maxEntries, length)
			for i, n := range tt.sizes {
				c.Add(ctx, fmt.Sprint("k", i), strings.Repeat("x", n))
				if c.Bytes() > tt.maxBytes {
					t.Fatalf("after adding k%d: %d bytes; budget %d", i, c.Bytes(), tt.maxBytes)
				}
			}
			want := 0
			for _, i := range tt.wantKept {
				if v, ok := c.Get(ctx, fmt.Sprint("k", i)); !ok || len(v) != tt.sizes[i] {
					t.Errorf("k%d: got %d bytes, %v; want kept", i, len(v), ok)
				}
				want += tt.sizes[i] + bytelru.EntryOverhead
			}
			for _, i := range tt.wantAbsent {
				if _, ok := c.Get(ctx, fmt.Sprint("k", i)); ok {
					t.Errorf("k%d kept; want dropped", i)
				}
			}
			if c.Bytes() != want || c.Len() != len(tt.wantKept) {
				t.Errorf("got %d bytes in %d entries; want %d in %d", c.Bytes(), c.Len(), want, len(tt.wantKept))
			}
		})
	}
}

// Get marks an entry as used: the one read survives, the other goes.
func TestCacheGetKeepsAnEntry(t *testing.T) {
	ctx := context.Background()
	c := bytelru.New[string, string](2*(bytelru.EntryOverhead+10), 0, length)
	c.Add(ctx, "a", "0123456789")
	c.Add(ctx, "b", "0123456789")
	c.Get(ctx, "a")
	c.Add(ctx, "c", "0123456789")
	if _, ok := c.Get(ctx, "a"); !ok {
		t.Error("a, read last, was dropped")
	}
	if _, ok := c.Get(ctx, "b"); ok {
		t.Error("b, the least recently used, was kept")
	}
}

// Replacing a value counts its new size, not both.
func TestCacheReplaceCountsOnce(t *testing.T) {
	ctx := context.Background()
	c := bytelru.New[string, string](1<<20, 0, length)
	c.Add(ctx, "a", strings.Repeat("x", 100))
	c.Add(ctx, "a", strings.Repeat("x", 300))
	if got, want := c.Bytes(), 300+bytelru.EntryOverhead; got != want || c.Len() != 1 {
		t.Errorf("got %d bytes in %d entries; want %d in 1", got, c.Len(), want)
	}
	c.Add(ctx, "a", strings.Repeat("x", 2<<20)) // too large: the old value goes too
	if _, ok := c.Get(ctx, "a"); ok || c.Bytes() != 0 {
		t.Errorf("a kept (%d bytes); want gone", c.Bytes())
	}
}

// Concurrent use is safe (run with -race) and keeps the budget.
func TestCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	c := bytelru.New[int, []byte](10_000, 0, func(_ int, v []byte) int { return len(v) })
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 1000 {
				c.Add(ctx, g*1000+i, make([]byte, i%500))
				c.Get(ctx, g*1000+i/2)
			}
		}()
	}
	for range 4 {
		<-done
	}
	if c.Bytes() > 10_000 {
		t.Errorf("%d bytes; budget 10000", c.Bytes())
	}
}

func ExampleCache() {
	ctx := context.Background()
	// Queries by hash, at most 1 MiB of them, each costing its length.
	queries := bytelru.New[string, string](1<<20, 0, func(hash, query string) int { return len(hash) + len(query) })
	queries.Add(ctx, "abc", "{ dashboard(userId: \"u1\") { userId } }")
	q, ok := queries.Get(ctx, "abc")
	fmt.Println(q, ok)
	// Output: { dashboard(userId: "u1") { userId } } true
}
