package gateway_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// BenchmarkRedis measures what Redis costs a request: a persisted query
// sent by its hash (found in the replica's cache) under a per-address
// limit too high to refuse anything, so each request makes one Redis call
// (the GCRA script) with Redis on, none with it off, and with it down
// (killed, breaker open) one refused at once. Hung is a Redis that takes
// connections and never answers: each call waits for the timeout until the
// breaker opens, and a probe waits again each time it half-opens. It
// reports p50, p99 and the slowest request, and for hung the first
// DefaultTripAfter requests' total. See BENCHMARKS.md.
func BenchmarkRedis(b *testing.B) {
	const q = `query Bench { dashboard(userId: "u1") { userId } }`
	for _, mode := range []string{"off", "on", "down", "hung"} {
		b.Run("redis="+mode, func(b *testing.B) {
			var redis *redistest.Server
			url := ""
			switch mode {
			case "on", "down":
				redis = redistest.Start(b)
				url = redis.URL()
			case "hung":
				url = "redis://" + gatewaytest.BlackholeAddr(b)
			}
			e := gatewaytest.New(b, gatewaytest.Options{Bench: true, Edit: func(c *config.Config) {
				c.RateLimit = gateway.RateLimit{Requests: 1_000_000, Window: time.Second}
				c.Redis.URL = url
			}})
			if r := e.RegisterPersisted(b, q); !r.Found() {
				b.Fatalf("register: %d %s", r.Status, r.Body)
			}
			if mode == "down" {
				redis.Stop()
				for range sharedstore.DefaultTripAfter { // open the breaker
					e.PostHash(b, q)
				}
			}
			var took []time.Duration
			var first time.Duration // hung: the requests until the breaker opens
			if mode == "hung" {
				for range sharedstore.DefaultTripAfter {
					first += e.PostHash(b, q).Elapsed
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				r := e.PostHash(b, q)
				if r.Status != http.StatusOK || !r.Found() {
					b.Fatalf("by hash: %d %s", r.Status, r.Body)
				}
				took = append(took, r.Elapsed)
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(took[len(took)-1].Microseconds()), "max-µs")
			if mode == "hung" {
				b.ReportMetric(float64(first.Milliseconds()), "first-ms")
			}
		})
	}
}
