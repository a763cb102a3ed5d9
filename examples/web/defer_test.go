package web_test

import (
	"encoding/json"
	"mime"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/graphqlhttp/graphqlhttptest"
	"github.com/acme/dashboard-gateway/simulator"
)

// executorAnnouncesParts says whether the gateway's executor announces the
// parts of a deferred answer with its first response
// (graphqlhttp.PendingExtension). Until it does, a client asking for the
// incrementalSpec=v0.2 format gets one JSON answer with every part merged;
// once it does, set it: that client must then get the parts in that format.
const executorAnnouncesParts = true

// The form a deferred answer reaches a client in: multipart/mixed with the
// parameter naming its format, or one JSON answer ("").
const (
	wire2022 = "deferSpec=20220824"
	wireV02  = "incrementalSpec=v0.2"
	wireJSON = ""
)

// deferClient is a way to run the DeferredDashboard operation: a built
// program of this example and its arguments, whether it needs a gateway in
// trusted-documents mode, and the form the gateway's answer must take.
type deferClient struct {
	name    string
	program string
	args    []string
	trusted bool
	wire    string
}

// deferClients are the clients whose reading of @defer is tested: urql,
// Apollo Client 3, and Apollo Client 4 with each of its handlers.
var deferClients = []deferClient{
	{"urql", "dist/defer.js", nil, true, wire2022},
	{"apollo3", "dist/apollo.js", []string{"apollo3"}, false, wire2022},
	{"apollo4-defer20220824", "dist/apollo.js", []string{"apollo4-defer20220824"}, false, wire2022},
	{"apollo4-graphql17alpha9", "dist/apollo.js", []string{"apollo4-graphql17alpha9"}, false, map[bool]string{false: wireJSON, true: wireV02}[executorAnnouncesParts]},
}

// announcedV02 is Apollo Client 4's GraphQL17Alpha9Handler in front of a
// server that announces the parts (see scripted).
var announcedV02 = deferClient{"apollo4-graphql17alpha9", "dist/apollo.js", []string{"apollo4-graphql17alpha9"}, false, wireV02}

// deferReport is what dist/defer.js and dist/apollo.js print
// (src/report.ts): the headers exchanged and every result the client
// yielded, in order.
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

// deferredProfile and deferredOrder are what DeferredDashboard selects.
type deferredProfile struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type deferredOrder struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  struct {
		Formatted string `json:"formatted"`
	} `json:"total"`
}

// simulated returns u1's profile and first two orders as the simulator
// has them: what DeferredDashboard must bring (orders: 2).
func simulated(tb testing.TB) (deferredProfile, []deferredOrder) {
	tb.Helper()
	p, ok := simulator.ProfileOf("u1")
	if !ok {
		tb.Fatal("the simulator has no u1")
	}
	var orders []deferredOrder
	for _, o := range simulator.OrdersOf("u1")[:2] {
		d := deferredOrder{ID: o.ID, Status: o.Status}
		d.Total.Formatted = model.Money{AmountMinor: int(o.Total.AmountMinor), Currency: o.Total.Currency}.Formatted()
		orders = append(orders, d)
	}
	return deferredProfile{Name: p.Name, Tier: p.Tier}, orders
}

// runDefer checks c against urls[false], whose orders service is healthy,
// and urls[true], whose orders service fails, in parallel with the other
// checks (node spends most of a run starting).
func runDefer(t *testing.T, name string, c deferClient, urls map[bool]string) {
	for _, ordersFail := range []bool{false, true} {
		if ordersFail {
			name += " orders failing"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkDefer(t, urls[ordersFail], c, ordersFail)
		})
	}
}

// checkDefer runs c against the gateway at url and checks what the client
// saw: the answer in the form c.wire says; in parts, the first result with
// u1's profile and no orders; the last with the profile and u1's first two
// orders, or, when ordersFail, null orders and the orders service's
// UPSTREAM_ERROR.
func checkDefer(t *testing.T, url string, c deferClient, ordersFail bool) {
	out := runNode(t, url, c.program, c.args...)
	var report deferReport
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	ct, accept := report.Transport.ContentType, report.Transport.Accept
	mt, params, _ := mime.ParseMediaType(ct)
	if name, value, _ := strings.Cut(c.wire, "="); c.wire != wireJSON && (mt != "multipart/mixed" || params[strings.ToLower(name)] != value) {
		t.Errorf("Content-Type %q (Accept %q); want multipart/mixed with %s", ct, accept, c.wire)
	} else if c.wire == wireJSON && mt != "application/json" && mt != "application/graphql-response+json" {
		t.Errorf("Content-Type %q (Accept %q); want one JSON answer", ct, accept)
	}
	results := report.Results
	if len(results) == 0 || c.wire != wireJSON && len(results) < 2 || c.wire == wireJSON && len(results) != 1 {
		t.Fatalf("%d results; want one JSON answer, or in parts more than one: the profile first, the orders later", len(results))
	}
	for i, r := range results {
		if r.NetworkError != "" {
			t.Errorf("result %d: network error %q", i, r.NetworkError)
		}
		if r.HasNext != (i < len(results)-1) {
			t.Errorf("result %d of %d: hasNext %v", i+1, len(results), r.HasNext)
		}
	}
	wantProfile, wantOrders := simulated(t)
	first, last := results[0], results[len(results)-1]
	if c.wire != wireJSON {
		checkProfile(t, "first result", first.Dashboard, wantProfile)
		if orders, ok := first.Dashboard["orders"]; ok {
			t.Errorf("first result has orders %s; want them absent (deferred)", orders)
		}
		if len(first.Errors) != 0 {
			t.Errorf("first result's errors %+v; want none", first.Errors)
		}
	}
	checkProfile(t, "last result", last.Dashboard, wantProfile)
	orders, ok := last.Dashboard["orders"]
	if !ok {
		t.Fatalf("last result has no orders; want them merged in")
	}
	if !ordersFail {
		var got []deferredOrder
		if err := json.Unmarshal(orders, &got); err != nil || !slices.Equal(got, wantOrders) || len(last.Errors) != 0 {
			t.Errorf("last result's orders %s, errors %+v; want %+v, no errors", orders, last.Errors, wantOrders)
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

// checkProfile checks that dashboard has u1's profile.
func checkProfile(t *testing.T, what string, dashboard map[string]json.RawMessage, want deferredProfile) {
	t.Helper()
	var got *deferredProfile
	if err := json.Unmarshal(dashboard["profile"], &got); err != nil || got == nil || *got != want {
		t.Errorf("%s's profile %s; want %+v", what, dashboard["profile"], want)
	}
}

// scripted serves graphqlhttp's handler over an executor that answers
// DeferredDashboard as the gateway's, when it announces the parts, will:
// u1's profile first, announcing the orders' part, then the part (the
// orders, or null with the orders service's error when ordersFail), each
// object with its __typename as Apollo Client asks. It returns its URL.
func scripted(t *testing.T, ordersFail bool) string {
	sdl, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	profile, orders := simulated(t)
	board := ast.Path{ast.PathName("dashboard")}
	hasNext, last := true, false
	first := &graphql.Response{
		Data: mustJSON(t, map[string]any{"dashboard": map[string]any{"__typename": "Dashboard", "userId": "u1",
			"profile": map[string]any{"__typename": "Profile", "name": profile.Name, "tier": profile.Tier}}}),
		HasNext:    &hasNext,
		Extensions: map[string]any{graphqlhttp.PendingExtension: []graphqlhttp.Pending{{Path: board, Label: "orders"}}},
	}
	part := &graphql.Response{Path: board, Label: "orders", HasNext: &last}
	if ordersFail {
		part.Data = []byte(`{"orders":null}`)
		part.Errors = gqlerror.List{{Message: "orders service unavailable", Path: append(board, ast.PathName("orders")),
			Extensions: map[string]any{"code": "UPSTREAM_ERROR", "service": "orders"}}}
	} else {
		var list []map[string]any
		for _, o := range orders {
			list = append(list, map[string]any{"__typename": "Order", "id": o.ID, "status": o.Status,
				"total": map[string]any{"__typename": "Money", "formatted": o.Total.Formatted}})
		}
		part.Data = mustJSON(t, map[string]any{"orders": list})
	}
	srv := httptest.NewServer(graphqlhttptest.Handler(t, string(sdl), first, part))
	t.Cleanup(srv.Close)
	return srv.URL + "/query"
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
