package loadtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
)

// BenchmarkDeferCost compares what the gateway process spends on a document
// with @defer (every part streamed as multipart/mixed) with what it spends
// on the same selection without @defer (one JSON answer), in front of the
// simulated services answering at once: the in-process BenchmarkDeferCost
// of package gateway counts the simulator and the client too, this counts
// the gateway alone. The forms run in alternating blocks of 50 requests
// (8 at a time), so both see the same machine; an op is one request of
// each form. -max-deferred is 100 so that the red team's document runs.
func BenchmarkDeferCost(b *testing.B) {
	w := newWorld(b, simulation{preset: "healthy"}, noShedding, "MAX_DEFERRED=100")
	distinct, own := make([]any, 50), make([]any, 50)
	for i := range distinct {
		distinct[i] = "u" + strconv.Itoa(i+1)
		own[i] = "u1"
	}
	type doc struct {
		name            string
		deferred, whole string
		vars            map[string]any
	}
	var docs []doc
	for _, ids := range []struct {
		name string
		ids  []any
	}{{"50 users", distinct}, {"own id 50 times", own}} {
		d, wh, vars := gatewaytest.DeferCostDocuments(ids.ids)
		docs = append(docs, doc{ids.name, d, wh, vars})
	}
	red, vars := gatewaytest.RedTeamDocument(true, true)
	redWhole, _ := gatewaytest.RedTeamDocument(false, false)
	docs = append(docs, doc{"red team labelled", red, redWhole, vars})
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			forms := []side{
				{"defer", w.gateway, w.adminURL + "/metrics", postRequest(w.gatewayURL, d.deferred, d.vars, gatewaytest.DeferAccept)},
				{"whole", w.gateway, w.adminURL + "/metrics", postRequest(w.gatewayURL, d.whole, d.vars, "application/json")},
			}
			alternate(b, forms)
		})
	}
}

// postRequest is a POST of query with vars to the gateway, accepting accept.
func postRequest(base, query string, vars map[string]any, accept string) func() *http.Request {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		return req
	}
}

// alternate runs b.N requests of each of two forms served by the same
// process, in alternating blocks, reading the process's CPU time and
// allocations around each block, and reports each form's figures per
// request and their ratios (the first form's over the second's).
func alternate(b *testing.B, forms []side) {
	const block, clients = 50, 8
	for _, f := range forms { // warm up connections and the plan cache
		for range 10 {
			if o := send(context.Background(), f.request()); o.err != nil || o.status != 200 || o.partial {
				b.Fatalf("%s: %+v", f.name, o)
			}
		}
	}
	var cpu [2]time.Duration
	var allocsN, bytesN [2]float64
	var failed atomic.Int64
	run := func(i, n int) {
		f := forms[i]
		c0 := f.proc.cpu(b)
		a0, by0 := allocs(b, f.metrics)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					if o := send(context.Background(), f.request()); o.err != nil || o.status != 200 || o.partial {
						failed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		a1, by1 := allocs(b, f.metrics)
		cpu[i] += f.proc.cpu(b) - c0
		allocsN[i] += a1 - a0
		bytesN[i] += by1 - by0
	}
	b.ResetTimer()
	for done, k := 0, 0; done < b.N; k++ {
		n := min(block, b.N-done)
		run(k%2, n) // which form goes first alternates too
		run(1-k%2, n)
		done += n
	}
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Errorf("%d answers failed or were partial", n)
	}
	n := float64(b.N)
	for i, f := range forms {
		b.ReportMetric(float64(cpu[i].Microseconds())/n, f.name+"-cpu-us/op")
		b.ReportMetric(allocsN[i]/n, f.name+"-allocs/op")
		b.ReportMetric(bytesN[i]/n, f.name+"-B/op")
	}
	b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-ratio")
	b.ReportMetric(allocsN[0]/allocsN[1], "alloc-ratio")
	b.ReportMetric(bytesN[0]/bytesN[1], "bytes-ratio")
}
