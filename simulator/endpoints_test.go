package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// mustMarshal is json.Marshal for test values.
func mustMarshal(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestEndpoints checks each endpoint's status and exact body against the
// data functions over real HTTP.
func TestEndpoints(t *testing.T) {
	noLeaks(t)
	u1, _ := ProfileOf("u1")
	w1, _ := WalletOf("u1")
	notes := NotificationsOf("u1")
	unread := 0
	var unreadNotes []Notification
	for _, n := range notes {
		if !n.Read {
			unread++
			unreadNotes = append(unreadNotes, n)
		}
	}
	notesBody := func(items []Notification) string {
		return mustMarshal(t, struct {
			UnreadCount int            `json:"unreadCount"`
			Items       []Notification `json:"items"`
		}{unread, items})
	}
	tests := []struct {
		svc, path  string
		wantStatus int
		wantBody   string
	}{
		{Profile, "/v1/users/u1", 200, mustMarshal(t, u1)},
		{Profile, "/v1/users/u0", 404, `{"error":"user not found"}`},
		{Profile, "/v1/users/nobody", 404, `{"error":"user not found"}`},
		{Orders, "/v1/users/u1/orders", 200, mustMarshal(t, map[string]any{"orders": OrdersOf("u1")[:10]})},
		{Orders, "/v1/users/u1/orders?limit=12", 200, mustMarshal(t, map[string]any{"orders": OrdersOf("u1")[:12]})},
		{Orders, "/v1/users/u1/orders?limit=100", 200, mustMarshal(t, map[string]any{"orders": OrdersOf("u1")})},
		{Orders, "/v1/users/u1/orders?limit=0", 200, `{"orders":[]}`},
		{Orders, "/v1/users/u3/orders", 200, `{"orders":[]}`},
		{Orders, "/v1/users/x9/orders", 200, `{"orders":[]}`},
		{Recommendations, "/v1/users/u1/recommendations", 200, mustMarshal(t, map[string]any{"items": RecommendationsOf("u1")[:10]})},
		{Recommendations, "/v1/users/u1/recommendations?limit=50", 200, mustMarshal(t, map[string]any{"items": RecommendationsOf("u1")})},
		{Recommendations, "/v1/users/u1/recommendations?limit=3", 200, mustMarshal(t, map[string]any{"items": RecommendationsOf("u1")[:3]})},
		{Recommendations, "/v1/users/u0/recommendations", 200, `{"items":[]}`},
		{Notifications, "/v1/users/u1/notifications", 200, notesBody(notes[:10])},
		{Notifications, "/v1/users/u1/notifications?limit=100&unreadOnly=false", 200, notesBody(notes)},
		{Notifications, "/v1/users/u1/notifications?limit=100&unreadOnly=true", 200, notesBody(unreadNotes)},
		{Notifications, "/v1/users/u1/notifications?limit=2&unreadOnly=true", 200, notesBody(unreadNotes[:2])},
		{Notifications, "/v1/users/u1/notifications?limit=0", 200, notesBody([]Notification{})},
		{Notifications, "/v1/users/u0/notifications", 200, `{"unreadCount":0,"items":[]}`},
		{Wallet, "/v1/users/u1/wallet", 200, mustMarshal(t, w1)},
		{Wallet, "/v1/users/u100001/wallet", 404, `{"error":"user not found"}`},
		// Bad requests.
		{Orders, "/v1/users/u1/orders?limit=101", 400, ""},
		{Orders, "/v1/users/u1/orders?limit=-1", 400, ""},
		{Orders, "/v1/users/u1/orders?limit=ten", 400, ""},
		{Orders, "/v1/users/u1/orders?limit=", 400, ""},
		{Notifications, "/v1/users/u1/notifications?unreadOnly=yes", 400, ""},
		{Notifications, "/v1/users/u1/notifications?unreadOnly=1", 400, ""},
		{Profile, "/v1/users/" + strings.Repeat("a", 65), 400, ""},
		{Profile, "/v1/users/" + strings.Repeat("a", 64), 404, `{"error":"user not found"}`},
		{Profile, "/v1/users/u.1", 400, ""},
		{Profile, "/v1/users/u%2F1", 400, ""},
		{Profile, "/v1/users/", 400, ""},
		{Wallet, "/v1/users/%20/wallet", 400, ""},
		// Unknown endpoints.
		{Profile, "/v1/users/u1/wallet", 404, `{"error":"no such endpoint"}`},
		{Profile, "/v2/users/u1", 404, `{"error":"no such endpoint"}`},
		{Profile, "/", 404, `{"error":"no such endpoint"}`},
		{Wallet, "/v1/users/u1/orders", 404, `{"error":"no such endpoint"}`},
		{Catalog, "/v1/products/p1", 404, `{"error":"no such endpoint"}`},
		{Shipping, "/v1/users/u1/shipping", 404, `{"error":"no such endpoint"}`},
		{Shipping, "/v1/shipments/o-u1-1", 404, `{"error":"no such endpoint"}`},
		{Shipping, "/v1/shipments", 400, ""},
		{Shipping, "/v1/shipments?ids=o-u1-1", 400, ""},
		{Orders, "/v1/users/u1/orders/", 404, `{"error":"no such endpoint"}`},
	}
	clients := map[string]*http.Client{}
	urls := map[string]string{}
	for _, svc := range Services() {
		_, c, url := serveOne(t, Options{}, svc)
		clients[svc], urls[svc] = c, url
	}
	for _, tt := range tests {
		t.Run(tt.svc+tt.path, func(t *testing.T) {
			got := get(t, clients[tt.svc], urls[tt.svc]+tt.path)
			if got.status != tt.wantStatus {
				t.Fatalf("GET %s %s: status %d; want %d (body %s)", tt.svc, tt.path, got.status, tt.wantStatus, got.body)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("GET %s %s: Content-Type %q; want application/json", tt.svc, tt.path, ct)
			}
			switch {
			case tt.wantBody != "" && string(got.body) != tt.wantBody:
				t.Errorf("GET %s %s: body\n%s\nwant\n%s", tt.svc, tt.path, got.body, tt.wantBody)
			case tt.wantStatus == 400 && !isErrorBody(got.body):
				t.Errorf("GET %s %s: body %s; want {\"error\":\"...\"}", tt.svc, tt.path, got.body)
			}
		})
	}
}

// isErrorBody reports whether body is {"error": "<something>"}.
func isErrorBody(body []byte) bool {
	var e map[string]string
	return json.Unmarshal(body, &e) == nil && len(e) == 1 && e["error"] != ""
}

func TestMethodNotAllowed(t *testing.T) {
	noLeaks(t)
	_, c, url := serveOne(t, Options{}, Wallet)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead} {
		t.Run(method, func(t *testing.T) {
			req, _ := http.NewRequest(method, url+"/v1/users/u1/wallet", nil)
			got := do(t, c, req)
			if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET" {
				t.Errorf("%s wallet: status %d, Allow %q; want 405, GET", method, got.status, got.header.Get("Allow"))
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/nothing", nil)
	if got := do(t, c, req); got.status != http.StatusNotFound {
		t.Errorf("POST /nothing: status %d; want 404", got.status)
	}
}

// TestBatch checks the batch rules of profile, catalog and shipping.
func TestBatch(t *testing.T) {
	noLeaks(t)
	ids := func(prefix string, from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, prefix+strconv.Itoa(i))
		}
		return out
	}
	var u1Orders, u1Shipped []string // every order of u1's, and those with a shipment
	for _, o := range OrdersOf("u1") {
		u1Orders = append(u1Orders, o.ID)
		if _, ok := ShipmentOf(o.ID); ok {
			u1Shipped = append(u1Shipped, o.ID)
		}
	}
	tests := []struct {
		name, svc, path string
		ids             []string
		wantStatus      int
		wantIDs         []string // in any order
	}{
		{"users", Profile, "/v1/users", ids("u", 1, 20), 200, ids("u", 1, 20)},
		{"users with unknown", Profile, "/v1/users", []string{"u1", "u0", "nobody", "u100000"}, 200, []string{"u1", "u100000"}},
		{"users duplicates", Profile, "/v1/users", []string{"u5", "u5", "u6", "u5"}, 200, []string{"u5", "u6"}},
		{"users all unknown", Profile, "/v1/users", []string{"x"}, 200, []string{}},
		{"users 100", Profile, "/v1/users", ids("u", 1, 100), 200, ids("u", 1, 100)},
		{"users 101", Profile, "/v1/users", ids("u", 1, 101), 400, nil},
		{"users none", Profile, "/v1/users", nil, 400, nil},
		{"users empty", Profile, "/v1/users", []string{""}, 400, nil},
		{"users empty entry", Profile, "/v1/users", []string{"u1", "", "u2"}, 400, nil},
		{"users invalid", Profile, "/v1/users", []string{"u1", "u.2"}, 400, nil},
		{"products", Catalog, "/v1/products", ids("p", 4990, 5010), 200, ids("p", 4990, 5000)},
		{"products duplicates", Catalog, "/v1/products", []string{"p1", "p1"}, 200, []string{"p1"}},
		{"products 101", Catalog, "/v1/products", ids("p", 1, 101), 400, nil},
		{"shipments", Shipping, "/v1/shipments", u1Orders, 200, u1Shipped},
		{"shipments of unknown orders", Shipping, "/v1/shipments", []string{"o-u1-0", "u1", "o-u3-1"}, 200, []string{}},
		{"shipments 100", Shipping, "/v1/shipments", ids("o-u2-", 1, 100), 200, nil},
		{"shipments 101", Shipping, "/v1/shipments", ids("o-u2-", 1, 101), 400, nil},
		{"shipments invalid", Shipping, "/v1/shipments", []string{"o-u1-1", "o/u1"}, 400, nil},
	}
	sims := map[string]*Simulator{}
	clients, urls := map[string]*http.Client{}, map[string]string{}
	for _, svc := range []string{Profile, Catalog, Shipping} {
		sims[svc], clients[svc], urls[svc] = serveOne(t, Options{Seed: 42, Record: true}, svc)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := urls[tt.svc] + tt.path
			if tt.ids != nil {
				e, _ := sims[tt.svc].decls[tt.svc].Endpoint(contract.Batch)
				url += "?" + e.IDs + "=" + strings.Join(tt.ids, ",")
			}
			got := get(t, clients[tt.svc], url)
			if got.status != tt.wantStatus {
				t.Fatalf("GET %s: status %d; want %d (body %s)", url, got.status, tt.wantStatus, got.body)
			}
			calls := sims[tt.svc].Calls(tt.svc)
			if last := calls[len(calls)-1]; !slices.Equal(last.IDs, tt.ids) && !(tt.ids == nil && last.IDs == nil) {
				t.Errorf("GET %s: recorded IDs %q; want %q", url, last.IDs, tt.ids)
			}
			if tt.wantStatus != 200 {
				if !isErrorBody(got.body) {
					t.Errorf("GET %s: body %s; want {\"error\":\"...\"}", url, got.body)
				}
				return
			}
			gotIDs := batchIDs(t, tt.svc, got.body)
			if tt.wantIDs != nil && !slices.Equal(sorted(gotIDs), sorted(tt.wantIDs)) {
				t.Errorf("GET %s: ids %q; want %q in any order", url, gotIDs, tt.wantIDs)
			}
		})
	}

	// With 20 distinct ids, an answer in request order is a 1 in 20! chance:
	// the order must be shuffled, and reproducibly so for a seed.
	order := func(seed uint64) []string {
		_, c, url := serveOne(t, Options{Seed: seed}, Profile)
		return batchIDs(t, Profile, get(t, c, url+"/v1/users?ids="+strings.Join(ids("u", 1, 20), ",")).body)
	}
	first, again := order(9), order(9)
	if slices.Equal(first, ids("u", 1, 20)) {
		t.Errorf("batch answer %q is in request order; want it shuffled", first)
	}
	if !slices.Equal(first, again) {
		t.Errorf("batch answers with seed 9: %q, then %q; want the same order", first, again)
	}
}

// batchIDs decodes a batch answer, checks each element against the data
// functions and returns the ids in answer order.
func batchIDs(tb testing.TB, svc string, body []byte) []string {
	tb.Helper()
	var ids []string
	switch svc {
	case Profile:
		ids = batchOf(tb, body, "users", ProfileOf, func(u UserProfile) string { return u.ID })
	case Catalog:
		ids = batchOf(tb, body, "products", ProductOf, func(p Product) string { return p.ID })
	case Shipping:
		ids = batchOf(tb, body, "shipments", ShipmentOf, func(s Shipment) string { return s.OrderID })
	}
	if ids == nil && !strings.Contains(string(body), "[]") {
		tb.Errorf("empty batch answer %s; want an empty list, not null", body)
	}
	return ids
}

// batchOf decodes the list under key of a batch answer, checks each
// element against what of says of its id, and returns the ids in answer
// order.
func batchOf[T any](tb testing.TB, body []byte, key string, of func(id string) (T, bool), id func(T) string) []string {
	tb.Helper()
	var got map[string][]T
	mustDecode(tb, body, &got)
	var ids []string
	for _, v := range got[key] {
		want, _ := of(id(v))
		if mustMarshal(tb, v) != mustMarshal(tb, want) {
			tb.Errorf("batch %s element %+v; want %+v", key, v, want)
		}
		ids = append(ids, id(v))
	}
	return ids
}

func mustDecode(tb testing.TB, body []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("decode %.200s: %v", body, err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
