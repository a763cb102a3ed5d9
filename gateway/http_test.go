package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/simulator"
)

func TestGETQuery(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Get(t, gatewaytest.QueryPath(`{ dashboard(userId: "u1") { profile { name } } }`))
	want, _ := simulator.ProfileOf("u1")
	if r.Status != 200 || len(r.GQL.Errors) > 0 || !strings.Contains(string(r.GQL.Data), want.Name) {
		t.Errorf("status %d, body %s; want 200 with %s", r.Status, r.Body, want.Name)
	}
}

type restJSON struct {
	Status string              `json:"status"`
	Data   json.RawMessage     `json:"data"`
	Errors []gatewaytest.Error `json:"errors"`
}

// The REST view answers with the contract dashboard and a status saying
// whether it is whole, partial or refused; its orders carry their
// shipments.
func TestRESTView(t *testing.T) {
	tests := []struct {
		name       string
		behaviors  map[string]simulator.Behavior
		user       string
		httpStatus int
		status     string
		errCodes   []string
	}{
		{"success", nil, "u1", 200, "success", nil},
		{"partial", map[string]simulator.Behavior{simulator.Orders: {Fault: simulator.FaultStatus500}}, "u1", 200, "partial_success", []string{"UPSTREAM_ERROR"}},
		{"unknown user", nil, "u999999", 200, "partial_success", []string{"NOT_FOUND", "NOT_FOUND"}},
		{"invalid id", nil, "not%20valid", 400, "error", []string{"BAD_USER_INPUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gatewaytest.New(t, gatewaytest.Options{Behaviors: tt.behaviors})
			r := e.Get(t, "/dashboard/"+tt.user)
			var body restJSON
			gatewaytest.Decode(t, r.Body, &body)
			if r.Status != tt.httpStatus || body.Status != tt.status || len(body.Errors) != len(tt.errCodes) {
				t.Fatalf("%d %s; want %d with status %s and %d errors", r.Status, r.Body, tt.httpStatus, tt.status, len(tt.errCodes))
			}
			for i, code := range tt.errCodes {
				if body.Errors[i].Code() != code {
					t.Errorf("error %d code %s; want %s", i, body.Errors[i].Code(), code)
				}
			}
			gatewaytest.AssertClean(t, body.Errors)
			if bytes.Contains(r.Body, []byte(`"locations"`)) {
				t.Errorf("%s: errors carry locations in a query the caller never wrote", r.Body)
			}
			if tt.status == "error" {
				if string(body.Data) != "null" {
					t.Errorf("data %s; want null", body.Data)
				}
				return
			}
			var d gatewaytest.Dashboard
			gatewaytest.Decode(t, body.Data, &d)
			if d.UserID != tt.user || d.Notifications == nil {
				t.Errorf("data %s; want the dashboard of %s", body.Data, tt.user)
			}
			if tt.status == "success" { // the orders carry their shipments
				shipped := 0
				for _, o := range d.Orders {
					want, ok := simulator.ShipmentOf(o.ID)
					if got := o.Shipment; ok != (got != nil) || ok && (got.Carrier != want.Carrier || got.Status != want.Status) {
						t.Errorf("order %s: shipment %+v; want %+v (%v)", o.ID, got, want, ok)
					}
					if ok {
						shipped++
					}
				}
				if shipped == 0 {
					t.Errorf("no order of %s has a shipment: the test shows nothing", tt.user)
				}
			}
		})
	}
}

func TestPlaygroundAndHealth(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Get(t, "/")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "graphiql") {
		t.Errorf("GET / = %d %q; want the GraphiQL page", r.Status, r.Header.Get("Content-Type"))
	}
	r = e.Get(t, "/healthz")
	if r.Status != 200 || string(r.Body) != `{"status":"ok"}` {
		t.Errorf("GET /healthz = %d %s; want 200 ok", r.Status, r.Body)
	}
}

// panicky builds dashboards as the real Service does, but its wallet panics.
type panicky struct{ *dashboard.Service }

func (panicky) Wallet(context.Context, *dashboard.Dashboard) (*model.Wallet, error) {
	var m map[string]int
	//lint:ignore SA5000 the panic is the point: a real bug, not a thrown value
	m["boom"]++
	return nil, nil
}

func TestResolverPanicIsAFieldError(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Dashboards: panicky{dashboard.New(dashboard.Options{})}})
	for range 2 { // and the server keeps serving
		r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"}, "X-Request-Id", "req-panic")
		err, ok := r.ErrorsByPath()["dashboard.wallet"]
		if r.Status != 200 || !ok || err.Code() != "INTERNAL_SERVER_ERROR" || len(r.GQL.Errors) != 1 {
			t.Fatalf("%d %+v; want 200 with one INTERNAL_SERVER_ERROR on wallet", r.Status, r.GQL.Errors)
		}
		gatewaytest.AssertClean(t, r.GQL.Errors)
		gatewaytest.AssertOthersIntact(t, r.Dashboard(t), simulator.Wallet)
	}
	var logged bool
	for _, l := range e.Logs.Lines() {
		if l["msg"] == "panic while resolving" && l["request_id"] == "req-panic" && strings.Contains(l["stack"].(string), "panicky") {
			logged = true
		}
	}
	if !logged {
		t.Error("no log line with the panic, its stack and the request id")
	}
}

func TestRequestIDIsEchoed(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Post(t, `{ dashboard(userId: "u1") { userId } }`, nil)
	id := r.Header.Get("X-Request-Id")
	if len(id) != 32 {
		t.Errorf("X-Request-Id %q; want a generated id", id)
	}
}

// HEAD is answered where GET is for the probes (public and admin
// listeners) and the SDL, with GET's status and headers and no body: load
// balancers and uptime checks send it.
func TestHead(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{SDL: []byte("type Query { dashboard(userId: ID!): Dashboard }\n")})
	for _, tt := range []struct{ base, path, contentType string }{
		{e.URL, "/healthz", "application/json"},
		{e.URL, "/readyz", "application/json"},
		{e.URL, "/schema.graphqls", "text/plain; charset=utf-8"},
		{e.AdminURL, "/healthz", "application/json"},
		{e.AdminURL, "/readyz", "application/json"},
	} {
		req, _ := http.NewRequest(http.MethodHead, tt.base+tt.path, nil)
		r := e.Do(t, req)
		if r.Status != 200 || r.Header.Get("Content-Type") != tt.contentType || len(r.Body) != 0 {
			t.Errorf("HEAD %s: %d %q, %d bytes; want 200 %q and no body", tt.path, r.Status, r.Header.Get("Content-Type"), len(r.Body), tt.contentType)
		}
	}
	resp, err := e.Client.Head(e.URL + "/query?query=%7B__typename%7D")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /query: %d; want 405 (a query runs only for GET or POST)", resp.StatusCode)
	}
}

// gateway_build_info says which build runs: 1, with its version and the Go
// that built it, so replicas of different builds can be told apart.
func TestBuildInfoMetric(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	f := e.Scrape(t)["gateway_build_info"]
	if f == nil || len(f.GetMetric()) != 1 {
		t.Fatalf("gateway_build_info: %v; want one series", f)
	}
	m := f.GetMetric()[0]
	labels := map[string]string{}
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if m.GetGauge().GetValue() != 1 || labels["version"] == "" || labels["goversion"] != runtime.Version() {
		t.Errorf("gateway_build_info %v = %v; want 1 with a version and goversion %s", labels, m.GetGauge().GetValue(), runtime.Version())
	}
}
