// Package storetest checks that a cache.Store keeps the contract of its
// multi-key operations, GetMany and SetMany, as every Store must: for the
// tests of the stores (cache.Memory, sharedstore's Redis store). It is for
// tests only.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache"
)

// TestMany checks GetMany and SetMany of s, which starts empty; keys
// expire in real time.
func TestMany(t *testing.T, s cache.Store) {
	ctx := context.Background()
	keys := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("bound-%d", i)
		}
		return out
	}
	bound := make([]cache.Entry, cache.MaxKeys)
	for i, k := range keys(cache.MaxKeys) {
		bound[i] = cache.Entry{Key: k, Value: []byte("v")}
	}
	tests := []struct {
		name string
		set  []cache.Entry // stored first, for a minute
		get  []string
		want []string // "<nil>": none
		err  error    // of SetMany and GetMany
	}{
		{"no keys", nil, nil, nil, nil},
		{"absent keys", nil, []string{"a", "b"}, []string{"<nil>", "<nil>"}, nil},
		{"present and absent, in the keys' order", []cache.Entry{{Key: "c", Value: []byte("3")}, {Key: "d", Value: []byte("4")}},
			[]string{"d", "x", "c", "d"}, []string{"4", "<nil>", "3", "4"}, nil},
		{"an empty value is a value", []cache.Entry{{Key: "e", Value: []byte{}}}, []string{"e"}, []string{""}, nil},
		{"a later entry replaces an earlier", []cache.Entry{{Key: "f", Value: []byte("1")}, {Key: "f", Value: []byte("2")}},
			[]string{"f"}, []string{"2"}, nil},
		{"MaxKeys keys", bound, keys(cache.MaxKeys)[cache.MaxKeys-1:], []string{"v"}, nil},
		{"more than MaxKeys keys", append(bound, cache.Entry{Key: "g"}), keys(cache.MaxKeys + 1), nil, cache.ErrTooManyKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SetMany(ctx, tc.set, time.Minute); !errors.Is(err, tc.err) {
				t.Fatalf("SetMany(%d entries): got %v; want %v", len(tc.set), err, tc.err)
			}
			got, err := s.GetMany(ctx, tc.get)
			if !errors.Is(err, tc.err) {
				t.Fatalf("GetMany(%q): got %v; want %v", tc.get, err, tc.err)
			}
			if err == nil && len(got) != len(tc.get) {
				t.Fatalf("GetMany(%q): got %d values; want one per key", tc.get, len(got))
			}
			for i, want := range tc.want {
				if s := show(got[i]); s != want {
					t.Errorf("GetMany(%q)[%d]: got %s; want %s", tc.get, i, s, want)
				}
			}
		})
	}
	t.Run("a counter reads as its decimal text", func(t *testing.T) {
		for range 2 {
			if _, err := s.Incr(ctx, "n"); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.GetMany(ctx, []string{"n"}); err != nil || show(got[0]) != "2" {
			t.Errorf("GetMany(n) after 2 Incr: got %q, %v; want 2", got, err)
		}
	})
	t.Run("entries expire after their ttl", func(t *testing.T) {
		if err := s.SetMany(ctx, []cache.Entry{{Key: "short", Value: []byte("v")}, {Key: "long", Value: []byte("v")}}, time.Millisecond); err != nil {
			t.Fatal(err)
		}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		deadline := time.After(10 * time.Second)
		for {
			got, err := s.GetMany(ctx, []string{"short", "long"})
			if err != nil {
				t.Fatal(err)
			}
			if got[0] == nil && got[1] == nil {
				return
			}
			select {
			case <-tick.C:
			case <-deadline:
				t.Fatalf("entries of a 1ms ttl still there after 10s: %q", got)
			}
		}
	})
}

// show is a value as the table writes it.
func show(v []byte) string {
	if v == nil {
		return "<nil>"
	}
	return string(v)
}
