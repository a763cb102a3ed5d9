package prometheus

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
	"github.com/acme/dashboard-gateway/simulator"
)

// dashboardFile is the Grafana dashboard of the gateway's metrics.
const dashboardFile = "../grafana/dashboard-gateway.json"

// exported returns the labels of every series name a gateway exports, as
// scraped from its /metrics with every optional part on: the overload
// limiter, Redis (a rate limit counted there), and a failing service (so
// errors have series). A histogram exports its _bucket (with le), _sum
// and _count.
func exported(tb testing.TB) map[string][]string {
	tb.Helper()
	redis := redistest.Start(tb)
	e := gatewaytest.New(tb, gatewaytest.Options{Failing: []string{simulator.Orders}, Edit: func(c *config.Config) {
		c.OverloadTarget = time.Second // a limiter that never sheds here
		c.Redis.URL = redis.URL()
		c.RateLimit = gateway.RateLimit{Requests: 1000, Window: time.Second}
	}})
	e.Post(tb, contract.DashboardQuery, map[string]any{"id": "u1"})
	names := map[string][]string{}
	for name, f := range e.Scrape(tb) {
		var labels []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(labels, l.GetName()) {
					labels = append(labels, l.GetName())
				}
			}
		}
		if f.GetType() == dto.MetricType_HISTOGRAM {
			names[name+"_bucket"] = append(slices.Clone(labels), "le")
			names[name+"_sum"] = labels
			names[name+"_count"] = labels
			continue
		}
		names[name] = labels
	}
	return names
}

// dashboardExprs returns the PromQL expression of every target of the
// dashboard's panels, rows' panels included, by panel title.
func dashboardExprs(tb testing.TB) map[string][]string {
	tb.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		tb.Fatal(err)
	}
	type panel struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
		Panels []json.RawMessage `json:"panels"`
	}
	var d struct {
		Title  string            `json:"title"`
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		tb.Fatalf("%s: %v", dashboardFile, err)
	}
	exprs := map[string][]string{}
	var walk func([]json.RawMessage)
	walk = func(panels []json.RawMessage) {
		for _, raw := range panels {
			var p panel
			if err := json.Unmarshal(raw, &p); err != nil {
				tb.Fatalf("%s: panel: %v", dashboardFile, err)
			}
			for _, t := range p.Targets {
				if t.Expr == "" {
					tb.Errorf("%s: panel %q: a target without expr", dashboardFile, p.Title)
				}
				exprs[p.Title] = append(exprs[p.Title], t.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	if len(exprs) == 0 {
		tb.Fatalf("%s: no panel with a target", dashboardFile)
	}
	return exprs
}

// TestMetricNames checks every metric the rules and the dashboard's
// panels read is one the gateway exports (or one of the recording
// rules), and every label their matchers name is one of its labels: a
// renamed metric or label fails here, not silently on a graph.
func TestMetricNames(t *testing.T) {
	names := exported(t)
	rules := readRules(t)
	recorded := map[string]bool{}
	for _, r := range rules {
		if r.Record != "" {
			recorded[r.Record] = true
		}
	}
	check := func(where, expr string) {
		sels := selectors(expr)
		if len(sels) == 0 {
			t.Errorf("%s: %q reads no metric", where, expr)
		}
		for _, s := range sels {
			labels, ok := names[s.metric]
			switch {
			case recorded[s.metric]:
			case !ok:
				t.Errorf("%s: %s is not a metric the gateway exports (expression %q)", where, s.metric, expr)
			default:
				for _, l := range s.labels {
					if !slices.Contains(labels, l) {
						t.Errorf("%s: %s has no label %s (it has %v)", where, s.metric, l, labels)
					}
				}
			}
		}
	}
	for _, r := range rules {
		check(rulesFile+": "+r.Record+r.Alert, r.Expr)
	}
	for title, exprs := range dashboardExprs(t) {
		for _, expr := range exprs {
			check(dashboardFile+": panel "+title, expr)
		}
	}
}
