package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
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

// BenchmarkDeferCost compares what a document costs with @defer (every
// part streamed to a client taking multipart/mixed) and without (one JSON
// answer): 50 different dashboards, and one user's own dashboard asked 50
// times. The client reads each body whole without parsing it, so the
// figures are the gateway's and the simulator's. See BENCHMARKS.md.
func BenchmarkDeferCost(b *testing.B) {
	distinct := make([]any, 50)
	own := make([]any, 50)
	for i := range distinct {
		distinct[i] = "u" + strconv.Itoa(i+1)
		own[i] = "u1"
	}
	for _, ids := range []struct {
		name string
		ids  []any
	}{{"50 users", distinct}, {"own id 50 times", own}} {
		deferred, whole, vars := gatewaytest.DeferCostDocuments(ids.ids)
		for _, form := range []struct {
			name, query, accept string
		}{{"defer", deferred, gatewaytest.DeferAccept}, {"whole", whole, "application/json"}} {
			b.Run(ids.name+"/"+form.name, func(b *testing.B) {
				e := gatewaytest.New(b, gatewaytest.Options{Bench: true, Deadline: 10 * time.Second})
				body, _ := json.Marshal(map[string]any{"query": form.query, "variables": vars})
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Accept", form.accept)
						resp, err := e.Client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						n, _ := io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK || n < 1000 {
							b.Errorf("status %d, %d bytes", resp.StatusCode, n)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkDeferRedTeam measures the red team's @defer document: refused at
// the default -max-deferred (10), and, with the limit raised to let it
// through, with unlabelled and labelled fragments, beside the same
// selection without @defer. It reports the parts of each answer. See
// BENCHMARKS.md.
func BenchmarkDeferRedTeam(b *testing.B) {
	for _, c := range []struct {
		name               string
		labelled, deferred bool
		maxDeferred        int
	}{
		{"default limit", false, true, 0},
		{"unlabelled", false, true, 100},
		{"labelled", true, true, 100},
		{"without defer", false, false, 100},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := gatewaytest.New(b, gatewaytest.Options{Bench: true, Deadline: 10 * time.Second, Edit: func(cfg *config.Config) {
				if c.maxDeferred > 0 {
					cfg.Limits.MaxDeferred = c.maxDeferred
				}
			}})
			query, vars := gatewaytest.RedTeamDocument(c.labelled, c.deferred)
			body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
			b.ReportMetric(float64(len(query)), "doc-bytes")
			parts := 0
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, e.URL+"/query", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", gatewaytest.DeferAccept)
				resp, err := e.Client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				parts = strings.Count(string(raw), `"path":`)
			}
			b.ReportMetric(float64(parts), "parts")
		})
	}
}
