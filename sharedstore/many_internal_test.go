package sharedstore

import (
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/cache/storetest"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// In a Redis Cluster GetMany pipelines GETs: the same contract, checked
// here against a single Redis.
func TestStoreManyPerKeyGets(t *testing.T) {
	s, err := New(Options{URL: redistest.Start(t).URL(), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.perKeyGets = true
	storetest.TestMany(t, s)
}
