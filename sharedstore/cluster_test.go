package sharedstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// Every operation works on a Redis Cluster of three masters, through each
// form of Cluster URL: keys of different slots, on different nodes, in
// one GetMany or SetMany, and the GCRA script.
func TestStoreOnCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	n0, n1, n2 := c.Nodes[0].Addr, c.Nodes[1].Addr, c.Nodes[2].Addr
	tests := []struct{ name, url string }{
		{"cluster=true and addr=", c.URL()},
		{"addr= alone", "redis://" + n1 + "?addr=" + n2 + "&addr=" + n0},
		{"one seed node", "redis://" + n2 + "?cluster=true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flushCluster(t, c)
			s := newStore(t, tt.url, nil)
			checkOperations(t, s)
			checkSpread(t, c, s)
		})
	}
}

// checkSpread checks that a SetMany of s stored keys on every node of c,
// and that one MGET of them fails there (CROSSSLOT): GetMany and SetMany
// were given keys of several slots and nodes, and had to cope.
func checkSpread(t *testing.T, c *redistest.Cluster, s *sharedstore.Store) {
	t.Helper()
	ctx := context.Background()
	const n = 30
	keys, entries := manyEntries("spread-", n)
	if err := s.SetMany(ctx, entries, time.Minute); err != nil {
		t.Fatalf("SetMany(%d keys): %v", n, err)
	}
	values, err := s.GetMany(ctx, keys)
	if err != nil {
		t.Fatalf("GetMany(%d keys): %v", n, err)
	}
	for i, v := range values {
		if string(v) != keys[i] {
			t.Errorf("GetMany: key %s: got %q; want %q", keys[i], v, keys[i])
		}
	}
	for _, node := range c.Nodes {
		client := redis.NewClient(&redis.Options{Addr: node.Addr})
		size, err := client.DBSize(ctx).Result()
		err2 := client.MGet(ctx, sharedstore.DefaultKeyPrefix+keys[0], sharedstore.DefaultKeyPrefix+keys[1]).Err()
		client.Close()
		if err != nil || size == 0 {
			t.Errorf("DBSIZE of node %s: got %d, %v; want keys on every node", node.Addr, size, err)
		}
		if err2 == nil || !strings.Contains(err2.Error(), "CROSSSLOT") {
			t.Errorf("MGET of two slots on node %s: got %v; want CROSSSLOT", node.Addr, err2)
		}
	}
}

// flushCluster empties every node of c.
func flushCluster(tb testing.TB, c *redistest.Cluster) {
	tb.Helper()
	for _, node := range c.Nodes {
		client := redis.NewClient(&redis.Options{Addr: node.Addr})
		err := client.FlushAll(context.Background()).Err()
		client.Close()
		if err != nil {
			tb.Fatalf("FLUSHALL %s: %v", node.Addr, err)
		}
	}
}
