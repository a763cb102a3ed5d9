package sharedstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// callBound is the longest a call may take when Redis is down: newStore's
// timeout (200ms) and a margin for a loaded machine.
const callBound = 700 * time.Millisecond

// Every operation works through a sentinel, on the master it names, with
// each form of Sentinel URL.
func TestStoreThroughSentinel(t *testing.T) {
	sen := redistest.StartSentinel(t, 0)
	down := redistest.Start(t) // a sentinel's address, the sentinel gone
	down.Stop()
	tests := []struct{ name, url string }{
		{"one sentinel", sen.URL()},
		{"first sentinel down", "redis://" + down.Addr + "?master_name=" + redistest.MasterName + "&addr=" + sen.Addr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master := redis.NewClient(&redis.Options{Addr: sen.Master.Addr})
			defer master.Close()
			if err := master.FlushAll(context.Background()).Err(); err != nil {
				t.Fatalf("FLUSHALL: %v", err)
			}
			s := newStore(t, tt.url, nil)
			checkOperations(t, s)
			if v, err := master.Get(context.Background(), sharedstore.DefaultKeyPrefix+"k").Result(); v != "v" {
				t.Errorf("GET k on the master %s: got %q, %v; want v", sen.Master.Addr, v, err)
			}
		})
	}
}

// When the master dies and no replica can take over, calls fail within
// the timeout, then the breaker refuses them at once; when the master is
// back, they pass again.
func TestStoreThroughSentinelMasterDown(t *testing.T) {
	sen, s := storeThroughSentinel(t, 0)
	ctx := context.Background()
	sen.Master.Stop()
	for i := range sharedstore.DefaultTripAfter {
		start := time.Now()
		err := s.Set(ctx, "k", []byte("v"), time.Minute)
		if d := time.Since(start); err == nil || errors.Is(err, sharedstore.ErrUnavailable) || d > callBound {
			t.Fatalf("Set #%d with the master down: got %v after %v; want a failure of Redis within %v", i+1, err, d, callBound)
		}
	}
	start := time.Now()
	if _, _, err := s.Get(ctx, "k"); !errors.Is(err, sharedstore.ErrUnavailable) {
		t.Fatalf("Get after %d failures: got %v; want ErrUnavailable", sharedstore.DefaultTripAfter, err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("Get with the breaker open took %v; want at once", d)
	}
	sen.Master.Restart()
	waitFor(t, func() bool { return s.Ping(ctx) == nil })
}

// When the master dies, the sentinel promotes its replica, and the store
// follows: its calls fail fast meanwhile, then land on the new master.
func TestStoreThroughSentinelFailover(t *testing.T) {
	sen, s := storeThroughSentinel(t, 1)
	ctx := context.Background()
	sen.Master.Stop()
	replica := sen.Replicas[0].Addr
	waitFor(t, func() bool {
		start := time.Now()
		err := s.Set(ctx, "after", []byte("v"), time.Minute)
		if d := time.Since(start); d > callBound {
			t.Fatalf("Set during the failover took %v (%v); want at most %v", d, err, callBound)
		}
		return err == nil
	})
	if addr, err := sen.MasterAddr(ctx); addr != replica {
		t.Errorf("master after the failover: got %s, %v; want the replica %s", addr, err, replica)
	}
	promoted := redis.NewClient(&redis.Options{Addr: replica})
	defer promoted.Close()
	if v, err := promoted.Get(ctx, sharedstore.DefaultKeyPrefix+"after").Result(); v != "v" {
		t.Errorf("GET after on the new master %s: got %q, %v; want v", replica, v, err)
	}
}

// storeThroughSentinel starts a sentinel and its master with replicas,
// and a store that has reached the master through the sentinel.
func storeThroughSentinel(t *testing.T, replicas int) (*redistest.Sentinel, *sharedstore.Store) {
	t.Helper()
	sen := redistest.StartSentinel(t, replicas)
	s := newStore(t, sen.URL(), nil)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping through the sentinel: %v", err)
	}
	return sen, s
}
