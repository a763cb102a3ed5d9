package web_test

import (
	"encoding/json"
	"mime"
	"testing"
)

// deferReport is what dist/defer.js prints: the headers exchanged and
// every result urql yielded, in order.
type deferReport struct {
	Transport struct {
		Accept      string `json:"accept"`
		ContentType string `json:"contentType"`
	} `json:"transport"`
	Results []struct {
		HasNext bool `json:"hasNext"`
		// Dashboard keeps its fields raw: a deferred field not yet
		// come is absent, which is not the same as null.
		Dashboard map[string]json.RawMessage `json:"dashboard"`
		Errors    []struct {
			Path    string `json:"path"`
			Code    string `json:"code"`
			Service string `json:"service"`
		} `json:"errors"`
		NetworkError string `json:"networkError"`
	} `json:"results"`
}

// checkDefer runs dist/defer.js against the gateway at url and checks that
// the answer came in parts, read by urql: the first result has the profile
// and no orders, the last has the orders merged in, or, when ordersFail,
// null orders with the orders service's UPSTREAM_ERROR, the profile intact.
// One JSON answer, even a complete one, fails it.
func checkDefer(t *testing.T, url string, ordersFail bool) {
	out := runNode(t, url, "dist/defer.js")
	var report deferReport
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if mt, params, err := mime.ParseMediaType(report.Transport.ContentType); err != nil || mt != "multipart/mixed" || params["deferspec"] != "20220824" {
		t.Errorf("Content-Type %q (Accept %q); want multipart/mixed with deferSpec=20220824",
			report.Transport.ContentType, report.Transport.Accept)
	}
	if len(report.Results) < 2 {
		t.Fatalf("%d results; want more than one: the profile first, the orders later", len(report.Results))
	}
	first, last := report.Results[0], report.Results[len(report.Results)-1]
	for i, r := range report.Results {
		if r.NetworkError != "" {
			t.Errorf("result %d: network error %q", i, r.NetworkError)
		}
		if r.HasNext != (i < len(report.Results)-1) {
			t.Errorf("result %d of %d: hasNext %v", i+1, len(report.Results), r.HasNext)
		}
	}
	profile := string(first.Dashboard["profile"])
	if !json.Valid(first.Dashboard["profile"]) || profile == "null" {
		t.Errorf("first result's profile %q; want the profile", profile)
	}
	if orders, ok := first.Dashboard["orders"]; ok {
		t.Errorf("first result has orders %s; want them absent (deferred)", orders)
	}
	if len(first.Errors) != 0 {
		t.Errorf("first result's errors %+v; want none", first.Errors)
	}
	if got := string(last.Dashboard["profile"]); got != profile {
		t.Errorf("last result's profile %s; want %s, as it came first", got, profile)
	}
	orders, ok := last.Dashboard["orders"]
	if !ok {
		t.Fatalf("last result has no orders; want them merged in")
	}
	if !ordersFail {
		var list []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(orders, &list); err != nil || len(list) != 2 || list[0].ID == "" || len(last.Errors) != 0 {
			t.Errorf("last result's orders %s, errors %+v; want 2 orders (first: 2), no errors", orders, last.Errors)
		}
		return
	}
	if string(orders) != "null" {
		t.Errorf("last result's orders %s; want null", orders)
	}
	if len(last.Errors) != 1 || last.Errors[0].Path != "dashboard.orders" || last.Errors[0].Code != "UPSTREAM_ERROR" || last.Errors[0].Service != "orders" {
		t.Errorf("last result's errors %+v; want one, at dashboard.orders, UPSTREAM_ERROR from orders", last.Errors)
	}
}
