package gateway_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// deferredDashboard asks for a dashboard with the profile first and every
// other field in a deferred fragment of its own; wholeDashboard is the same
// selection without @defer.
const (
	wholeDashboard = `query($id: ID!) { dashboard(userId: $id) { profile { name tier }
		orders(first: 5) { id status total { formatted } items { quantity product { name } } }
		recommendations(first: 5) { score product { name } }
		notifications(first: 5) { unreadCount items { title } }
		wallet { balance { formatted } loyaltyPoints } } }`
	deferredDashboard = `query($id: ID!) { dashboard(userId: $id) { profile { name tier }
		... @defer(label: "orders") { orders(first: 5) { id status total { formatted } items { quantity product { name } } } }
		... @defer(label: "recommendations") { recommendations(first: 5) { score product { name } } }
		... @defer(label: "notifications") { notifications(first: 5) { unreadCount items { title } } }
		... @defer(label: "wallet") { wallet { balance { formatted } loyaltyPoints } } } }`
)

// BenchmarkDeferFirstPart measures, in the seed profile (every service
// 100-1000 ms, orders failing 30% of the time), how long a client waits for
// the first part of a @defer answer (the profile) and for its last part,
// against the whole answer of the same selection without @defer. See
// BENCHMARKS.md.
func BenchmarkDeferFirstPart(b *testing.B) {
	report := func(b *testing.B, name string, d []time.Duration) {
		slices.Sort(d)
		ms := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / float64(time.Millisecond) }
		var sum time.Duration
		for _, x := range d {
			sum += x
		}
		b.ReportMetric(float64(sum)/float64(len(d))/float64(time.Millisecond), name+"-mean-ms")
		b.ReportMetric(ms(0.5), name+"-p50-ms")
		b.ReportMetric(ms(0.9), name+"-p90-ms")
	}
	b.Run("defer", func(b *testing.B) {
		e := gatewaytest.New(b, gatewaytest.Options{Behaviors: simulator.Seed(), Bench: true})
		var first, last []time.Duration
		i := 0
		for b.Loop() {
			i++
			parts := e.PostDeferred(b, deferredDashboard, map[string]any{"id": "u" + strconv.Itoa(1+i%50)})
			first = append(first, parts[0].At)
			last = append(last, parts[len(parts)-1].At)
		}
		report(b, "first-part", first)
		report(b, "last-part", last)
	})
	b.Run("whole", func(b *testing.B) {
		e := gatewaytest.New(b, gatewaytest.Options{Behaviors: simulator.Seed(), Bench: true})
		var whole []time.Duration
		i := 0
		for b.Loop() {
			i++
			r := e.Post(b, wholeDashboard, map[string]any{"id": "u" + strconv.Itoa(1+i%50)})
			whole = append(whole, r.Elapsed)
		}
		report(b, "whole", whole)
	})
}
