package loadtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
)

// dashboardQuery is the full contract dashboard, the same fields the REST
// view and the floor answer with.
const dashboardQuery = contract.DashboardQuery

// withoutShipments is dashboardQuery without the orders' shipments: the
// full dashboard before the shipping service came, the query of the
// figures BENCHMARKS.md measured before it, so that later runs compare.
var withoutShipments = strings.Replace(dashboardQuery, "      shipment { carrier status estimatedDelivery trackingUrl }\n", "", 1)

// topLevelQuery is the dashboard without the products of orders and
// recommendations: one round of calls, no catalog.
const topLevelQuery = `query TopLevel($id: ID!) {
  dashboard(userId: $id) {
    userId
    profile { id name email avatarUrl tier memberSince }
    orders { id status placedAt total { amountMinor currency formatted } items { quantity unitPrice { amountMinor currency formatted } } }
    recommendations { score reason }
    notifications { unreadCount items { id kind title createdAt read } }
    wallet { balance { amountMinor currency formatted } loyaltyPoints }
  }
}`

// users hands out user ids in turn among the first n, so that requests
// are for many users, as real traffic is, and identical downstream calls
// are as rare as they would be.
func users(n int) func() string {
	var next atomic.Int64
	return func() string { return "u" + strconv.FormatInt(next.Add(1)%int64(n)+1, 10) }
}

// graphqlRequest is a POST of query to the gateway, for the user user gives.
func graphqlRequest(base, query string, user func() string) func() *http.Request {
	q, _ := json.Marshal(query)
	prefix := `{"query":` + string(q) + `,"variables":{"id":"`
	return func() *http.Request {
		body := prefix + user() + `"}}` // user ids need no escaping
		req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
}

// restRequest is a GET of the dashboard of the user user gives, with query
// parameters (the gateway's REST view, or the floor).
func restRequest(base, query string, user func() string) func() *http.Request {
	return func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, base+"/dashboard/"+user()+query, nil)
		return req
	}
}

// noShedding turns the gateway's overload shedding off for the benchmarks
// that measure what a dashboard costs with the CPU saturated on purpose
// (closed loops, four processes on two cores); BenchmarkScenarioOverload
// measures the shedding.
const noShedding = "OVERLOAD_TARGET=0"

// side is one server under test in a comparison.
type side struct {
	name    string
	proc    *proc
	metrics string // URL of its allocation counters
	request func() *http.Request
}

// BenchmarkCost compares what one full dashboard costs the gateway with
// what it costs the floor, the hand-written fan-out, in front of the same
// simulated services answering at once, for users in turn among 10,000 (so
// that sharing identical calls helps the gateway only as much as it would
// with real traffic): each op is one request to each,
// sent by 16 concurrent clients, so both run under the same load at the
// same time. It reports, per dashboard, the server process's CPU time,
// allocations and bytes allocated for each side, their ratios, and each
// side's mean latency. "graphql" is POST /query with the full query,
// "rest" the gateway's REST view; "graphql-without-shipments" both without
// the orders' shipments, as the full dashboard was before the shipping
// service.
func BenchmarkCost(b *testing.B) {
	if withoutShipments == dashboardQuery {
		b.Fatal("withoutShipments is the full query: contract.DashboardQuery's shipments changed")
	}
	w := newWorld(b, simulation{preset: "healthy"}, noShedding)
	floor := func(query string) side {
		return side{"floor", w.floor, w.floorURL + "/metrics", restRequest(w.floorURL, query, users(10000))}
	}
	for _, c := range []struct {
		floor, gw side
	}{
		{floor(""), side{"graphql", w.gateway, w.adminURL + "/metrics", graphqlRequest(w.gatewayURL, dashboardQuery, users(10000))}},
		{floor(""), side{"rest", w.gateway, w.adminURL + "/metrics", restRequest(w.gatewayURL, "", users(10000))}},
		{floor("?shipments=false"), side{"graphql-without-shipments", w.gateway, w.adminURL + "/metrics", graphqlRequest(w.gatewayURL, withoutShipments, users(10000))}},
	} {
		b.Run(c.gw.name, func(b *testing.B) { compare(b, c.floor, c.gw) })
	}
}

// compare runs b.N ops of one request to each side and reports the figures.
func compare(b *testing.B, floor, gw side) {
	sides := []side{floor, gw}
	for _, s := range sides { // warm up connections and caches
		for range 50 {
			if o := send(context.Background(), s.request()); o.err != nil || o.status != 200 || o.partial {
				b.Fatalf("%s: %+v", s.name, o)
			}
		}
	}
	type reading struct {
		cpu           time.Duration
		allocs, bytes float64
	}
	read := func() []reading {
		out := make([]reading, len(sides))
		for i, s := range sides {
			out[i].cpu = s.proc.cpu(b)
			out[i].allocs, out[i].bytes = allocs(b, s.metrics)
		}
		return out
	}
	var latency [2]atomic.Int64
	var failed atomic.Int64
	var firstFailure atomic.Value
	if file := os.Getenv("LOADTEST_CPUPROFILE"); file != "" {
		profile(b, strings.TrimSuffix(gw.metrics, "/metrics"), file)
	}
	before := read()
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for i, s := range sides {
				o := send(context.Background(), s.request())
				latency[i].Add(int64(o.latency))
				if o.err != nil || o.status != 200 || o.partial {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%s: %+v", s.name, o))
				}
			}
		}
	})
	b.StopTimer()
	after := read()
	if n := failed.Load(); n > 0 {
		b.Errorf("%d answers failed or were partial, the first %v", n, firstFailure.Load())
	}
	n := float64(b.N)
	per := func(i int) (cpuUS, allocs, bytes float64) {
		return float64((after[i].cpu - before[i].cpu).Microseconds()) / n,
			(after[i].allocs - before[i].allocs) / n, (after[i].bytes - before[i].bytes) / n
	}
	fc, fa, fb := per(0)
	gc, ga, gb := per(1)
	b.ReportMetric(fc, "floor-cpu-us/op")
	b.ReportMetric(gc, "gw-cpu-us/op")
	b.ReportMetric(gc/fc, "cpu-ratio")
	b.ReportMetric(fa, "floor-allocs/op")
	b.ReportMetric(ga, "gw-allocs/op")
	b.ReportMetric(ga/fa, "alloc-ratio")
	b.ReportMetric(fb, "floor-B/op")
	b.ReportMetric(gb, "gw-B/op")
	b.ReportMetric(float64(latency[0].Load())/n/1e6, "floor-ms/req")
	b.ReportMetric(float64(latency[1].Load())/n/1e6, "gw-ms/req")
}

// profile saves the CPU profile of the next 10 s of the gateway whose admin
// listener is admin into file plus the benchmark's name
// (LOADTEST_CPUPROFILE=/tmp/gw. go test -bench Cost -benchtime 20000x), for
// go tool pprof.
func profile(b *testing.B, admin, file string) {
	go func() {
		resp, err := http.Get(admin + "/debug/pprof/profile?seconds=10")
		if err != nil {
			b.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		out, err := os.Create(file + strings.ReplaceAll(b.Name(), "/", "-") + ".pprof")
		if err != nil {
			b.Logf("profile: %v", err)
			return
		}
		defer out.Close()
		_, _ = io.Copy(out, resp.Body)
	}()
}

// BenchmarkThroughput is each side alone, closed loop, 32 clients, services
// answering at once, users in turn among 10,000: the complete dashboards
// per second it answers when CPU is the limit.
func BenchmarkThroughput(b *testing.B) {
	w := newWorld(b, simulation{preset: "healthy"}, noShedding)
	for _, s := range []struct {
		name    string
		request func() *http.Request
	}{
		{"floor", restRequest(w.floorURL, "", users(10000))},
		{"gateway", graphqlRequest(w.gatewayURL, dashboardQuery, users(10000))},
	} {
		b.Run(s.name, func(b *testing.B) {
			var failed atomic.Int64
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if o := send(context.Background(), s.request()); o.err != nil || o.status != 200 || o.partial {
						failed.Add(1)
					}
				}
			})
			b.ReportMetric(float64(int64(b.N)-failed.Load())/b.Elapsed().Seconds(), "dashboards/s")
			b.ReportMetric(100*float64(failed.Load())/float64(b.N), "failed-%")
		})
	}
}
