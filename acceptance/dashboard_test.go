package acceptance_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// One request for the full query through the whole gateway: every field
// arrives, in the contract's JSON (times in RFC 3339, UTC; formatted
// amounts), lists at the schema's default size, every product attached.
// What each field holds, converted field by field, is tested beside the
// code that builds it (package dashboard).
func TestFullDashboard(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u1"}, "X-Request-Id", "req-full-1")
	if r.Status != 200 || len(r.GQL.Errors) > 0 {
		t.Fatalf("status %d, errors %+v; want 200 and none", r.Status, r.GQL.Errors)
	}
	d := r.Dashboard(t)

	wantProfile, _ := simulator.ProfileOf("u1")
	if p := d.Profile; p == nil || p.ID != "u1" || p.MemberSince != wantProfile.MemberSince.UTC().Format(time.RFC3339) {
		t.Errorf("profile %+v; want u1's, member since %s", d.Profile, wantProfile.MemberSince.UTC().Format(time.RFC3339))
	}

	wantOrders := simulator.OrdersOf("u1")[:10] // the schema's default first: 10
	if len(d.Orders) != len(wantOrders) {
		t.Fatalf("%d orders; want %d", len(d.Orders), len(wantOrders))
	}
	for i, o := range d.Orders {
		w := wantOrders[i]
		if want := fmt.Sprintf("€%d.%02d", w.Total.AmountMinor/100, w.Total.AmountMinor%100); o.ID != w.ID || o.Total.Formatted != want {
			t.Errorf("order %d = %s total %q; want %s, %q", i, o.ID, o.Total.Formatted, w.ID, want)
		}
		for j, it := range o.Items {
			if it.Product == nil || it.Product.ID != w.Items[j].ProductID {
				t.Errorf("order %d item %d product %+v; want %s", i, j, it.Product, w.Items[j].ProductID)
			}
		}
	}

	wantRecs := simulator.RecommendationsOf("u1")[:10]
	if len(d.Recommendations) != len(wantRecs) {
		t.Fatalf("%d recommendations; want %d", len(d.Recommendations), len(wantRecs))
	}
	for i, rec := range d.Recommendations {
		if rec.Product == nil || rec.Product.ID != wantRecs[i].ProductID {
			t.Errorf("recommendation %d product %+v; want %s", i, rec.Product, wantRecs[i].ProductID)
		}
	}

	if n := d.Notifications; n == nil || len(n.Items) != 10 || n.Items[0].ID != simulator.NotificationsOf("u1")[0].ID {
		t.Errorf("notifications %+v; want the 10 newest", d.Notifications)
	}
	if d.Wallet == nil {
		t.Errorf("wallet null; want u1's")
	}

	// One call per service; the catalog's products come from two lists, which
	// share one call when they arrive within the batch window.
	calls := e.CallCounts()
	for _, s := range gatewaytest.Reached() {
		if n := calls[s]; n != 1 && !(s == simulator.Catalog && n == 2) {
			t.Errorf("%d calls to %s; want 1 (catalog: 1 or 2)", n, s)
		}
	}

	// Every downstream call carried the contract's headers.
	for _, s := range simulator.Services() {
		for _, c := range e.Sim.Calls(s) {
			var ms int
			if _, err := fmt.Sscan(c.TimeoutMs, &ms); err != nil || ms < 1 || ms > 1500 {
				t.Errorf("%s call X-Timeout-Ms %q; want 1..1500", s, c.TimeoutMs)
			}
			if c.RequestID != "req-full-1" {
				t.Errorf("%s call X-Request-Id %q; want req-full-1", s, c.RequestID)
			}
		}
	}
	if got := r.Header.Get("X-Request-Id"); got != "req-full-1" {
		t.Errorf("response X-Request-Id %q; want req-full-1", got)
	}
}

func TestServiceFailingAlone(t *testing.T) {
	faults := []struct {
		fault  simulator.Fault
		code   string
		reason string
	}{
		{simulator.FaultStatus500, "UPSTREAM_ERROR", "bad_status"},
		{simulator.FaultStatus503, "UPSTREAM_ERROR", "bad_status"},
		{simulator.FaultMalformed, "UPSTREAM_ERROR", "invalid_response"},
		{simulator.FaultWrongShape, "UPSTREAM_ERROR", "invalid_response"},
		{simulator.FaultGarbage, "UPSTREAM_ERROR", "invalid_response"},
		{simulator.FaultDuplicateKeys, "UPSTREAM_ERROR", "invalid_response"}, // never the decoy
		{simulator.FaultCaseKeys, "UPSTREAM_ERROR", "invalid_response"},
		{simulator.FaultOversized, "UPSTREAM_ERROR", "response_too_large"},
		{simulator.FaultReset, "UPSTREAM_ERROR", "connection_failed"},
		{simulator.FaultNotFound, "UPSTREAM_ERROR", "bad_status"}, // 404 where the contract does not list it
	}
	for _, svc := range gatewaytest.Reached() {
		for _, f := range faults {
			code, reason := f.code, f.reason
			if svc == simulator.Wallet && f.fault == simulator.FaultNotFound {
				code, reason = "NOT_FOUND", "" // the wallet's 404 means an unknown user
			}
			t.Run(svc+"/"+string(f.fault), func(t *testing.T) {
				e := gatewaytest.New(t, gatewaytest.Options{Behaviors: map[string]simulator.Behavior{svc: {Fault: f.fault}}})
				r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u2"}, "X-Request-Id", "req-fail")
				if r.Status != 200 {
					t.Fatalf("status %d; want 200", r.Status)
				}
				d := r.Dashboard(t)
				byPath := r.ErrorsByPath()
				want := gatewaytest.FailedPaths(d, svc, true)
				if len(r.GQL.Errors) != len(want) {
					t.Errorf("%d errors; want %d (one per failed field): %+v", len(r.GQL.Errors), len(want), r.GQL.Errors)
				}
				for _, p := range want {
					e, ok := byPath[p]
					if !ok {
						t.Errorf("no error at %s", p)
						continue
					}
					if e.Code() != code || e.Service() != svc || e.Extensions["reason"] != nilIfEmpty(reason) {
						t.Errorf("error at %s = %+v; want code %s, service %s, reason %q", p, e, code, svc, reason)
					}
				}
				gatewaytest.AssertClean(t, r.GQL.Errors)
				gatewaytest.AssertOthersIntact(t, d, svc)
				assertLogged(t, e, "req-fail", svc)
			})
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// assertLogged checks that the log holds the real cause with the request id.
func assertLogged(tb testing.TB, e *gatewaytest.Gateway, reqID, service string) {
	tb.Helper()
	for _, l := range e.Logs.Lines() {
		if l["request_id"] == reqID && l["service"] == service && l["error"] != nil && l["msg"] == "field failed" {
			return
		}
	}
	tb.Errorf("no log line with request_id %s, service %s and the cause", reqID, service)
}

func TestConnectionRefused(t *testing.T) {
	refused := "http://" + gatewaytest.RefusedAddr(t)
	e := gatewaytest.New(t, gatewaytest.Options{URLs: map[downstream.Service]string{downstream.Wallet: refused}})
	r := e.Post(t, contract.DashboardQuery, map[string]any{"id": "u3"}, "X-Request-Id", "req-refused")
	err2, ok := r.ErrorsByPath()["dashboard.wallet"]
	if !ok || err2.Code() != "UPSTREAM_ERROR" || err2.Extensions["reason"] != "connection_failed" || err2.Service() != "wallet" {
		t.Fatalf("wallet error %+v; want UPSTREAM_ERROR connection_failed from wallet", r.GQL.Errors)
	}
	gatewaytest.AssertClean(t, r.GQL.Errors)
	gatewaytest.AssertOthersIntact(t, r.Dashboard(t), simulator.Wallet)
	assertLogged(t, e, "req-refused", "wallet")
}

// Arguments outside the contract are rejected before anything runs: one
// BAD_USER_INPUT request error, no data, no downstream call.
func TestInvalidArguments(t *testing.T) {
	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("u%d", i+1)
	}
	tests := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"bad id", `query($id: ID!) { dashboard(userId: $id) { profile { name } } }`, map[string]any{"id": "u1; drop"}},
		{"empty id", `query($id: ID!) { dashboard(userId: $id) { profile { name } } }`, map[string]any{"id": ""}},
		{"long id", `query($id: ID!) { dashboard(userId: $id) { profile { name } } }`, map[string]any{"id": strings.Repeat("a", 65)}},
		{"51 ids", `query($ids: [ID!]!) { dashboards(userIds: $ids) { profile { name } } }`, map[string]any{"ids": tooMany}},
		{"one bad id of many", `{ dashboards(userIds: ["u1", "ü"]) { profile { name } } }`, nil},
		{"first 51", `{ dashboard(userId: "u1") { profile { name } orders(first: 51) { id } } }`, nil},
		{"first -1", `{ dashboard(userId: "u1") { recommendations(first: -1) { score } } }`, nil},
		{"first from a variable", `query($n: Int) { dashboard(userId: "u1") { notifications(first: $n) { unreadCount } } }`, map[string]any{"n": 99}},
		{"in a fragment", `{ dashboard(userId: "u1") { ...F } } fragment F on Dashboard { orders(first: 1000) { id } }`, nil},
	}
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			r := e.Post(t, tt.query, tt.vars)
			if r.Status != 200 || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "BAD_USER_INPUT" || r.GQL.Data != nil {
				t.Errorf("status %d, body %s; want 200 and one BAD_USER_INPUT request error, no data", r.Status, r.Body)
			}
			gatewaytest.AssertClean(t, r.GQL.Errors)
			if calls := e.CallCounts(); len(calls) != 0 {
				t.Errorf("downstream calls %v; want none for invalid input", calls)
			}
		})
	}
}
