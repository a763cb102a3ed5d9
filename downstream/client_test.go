package downstream_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
)

// fixed serves one canned answer on every path, for every service.
func fixed(tb testing.TB, status int, body string) (*downstream.Clients, *http.Request) {
	tb.Helper()
	var last http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last = *r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(srv.Close)
	c, err := downstream.New(downstream.Config{Services: sameURL(srv.URL + "/base"), MaxBodyBytes: 4096})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c, &last
}

func kindOf(err error) downstream.Kind {
	var e *downstream.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

const (
	validProfile  = `{"id":"u1","name":"Ada","tier":"GOLD","memberSince":"2021-03-04T00:00:00Z"}`
	validOrder    = `{"id":"o1","status":"SHIPPED","placedAt":"2026-11-01T10:00:00Z","total":{"amountMinor":12990,"currency":"EUR"},"items":[{"productId":"p1","quantity":2,"unitPrice":{"amountMinor":1999,"currency":"EUR"}}]}`
	validProduct  = `{"id":"p1","name":"Trail shoe","price":{"amountMinor":1999,"currency":"EUR"},"inStock":false}`
	validShipment = `{"orderId":"o1","carrier":"DHL","status":"IN_TRANSIT","estimatedDelivery":"2026-11-05T00:00:00Z","trackingUrl":"https://track.example.com/o1"}`
)

func TestResponses(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *downstream.Clients) error{
		"profile": func(c *downstream.Clients) error { _, err := c.Profiles(ctx, []string{"u1"}); return err },
		"orders":  func(c *downstream.Clients) error { _, err := c.Orders(ctx, "u1", 10); return err },
		"catalog": func(c *downstream.Clients) error { _, err := c.Products(ctx, []string{"p1"}); return err },
		"recommendations": func(c *downstream.Clients) error {
			_, err := c.Recommendations(ctx, "u1", 10)
			return err
		},
		"notifications": func(c *downstream.Clients) error {
			_, err := c.Notifications(ctx, "u1", 10, false)
			return err
		},
		"wallet":   func(c *downstream.Clients) error { _, err := c.Wallet(ctx, "u1"); return err },
		"shipping": func(c *downstream.Clients) error { _, err := c.Shipments(ctx, []string{"o1"}); return err },
	}
	tests := []struct {
		name   string
		call   string
		status int
		body   string
		want   downstream.Kind // 0: success
	}{
		{"profile ok", "profile", 200, `{"users":[` + validProfile + `]}`, 0},
		{"profile empty", "profile", 200, `{"users":[]}`, 0},
		{"profile no users key", "profile", 200, `{}`, downstream.KindInvalidResponse},
		{"profile null entry", "profile", 200, `{"users":[null]}`, downstream.KindInvalidResponse},
		{"profile unknown tier", "profile", 200, `{"users":[{"id":"u1","name":"A","tier":"DIAMOND","memberSince":"2021-03-04T00:00:00Z"}]}`, downstream.KindInvalidResponse},
		{"profile no name", "profile", 200, `{"users":[{"id":"u1","tier":"GOLD","memberSince":"2021-03-04T00:00:00Z"}]}`, downstream.KindInvalidResponse},
		{"profile bad time", "profile", 200, `{"users":[{"id":"u1","name":"A","tier":"GOLD","memberSince":"yesterday"}]}`, downstream.KindInvalidResponse},
		{"profile 404 on batch", "profile", 404, `{"error":"nope"}`, downstream.KindBadStatus},
		{"orders null entry", "orders", 200, `{"orders":[null]}`, downstream.KindInvalidResponse},
		{"recommendations null entry", "recommendations", 200, `{"items":[null]}`, downstream.KindInvalidResponse},
		{"orders ok", "orders", 200, `{"orders":[` + validOrder + `]}`, 0},
		{"orders trailing garbage", "orders", 200, `{"orders":[]} x`, downstream.KindInvalidResponse},
		{"orders truncated", "orders", 200, `{"orders":[` + validOrder[:40], downstream.KindInvalidResponse},
		{"orders bad status", "orders", 200, `{"orders":[` + strings.Replace(validOrder, "SHIPPED", "LOST", 1) + `]}`, downstream.KindInvalidResponse},
		{"orders missing quantity", "orders", 200, `{"orders":[` + strings.Replace(validOrder, `"quantity":2,`, "", 1) + `]}`, downstream.KindInvalidResponse},
		{"orders bad currency", "orders", 200, `{"orders":[` + strings.Replace(validOrder, `"EUR"}`, `"euro"}`, 1) + `]}`, downstream.KindInvalidResponse},
		{"orders 404", "orders", 404, ``, downstream.KindBadStatus},
		{"orders 500", "orders", 500, `oops`, downstream.KindBadStatus},
		{"orders html", "orders", 200, `<html>502</html>`, downstream.KindInvalidResponse},
		{"orders too large", "orders", 200, `{"orders":[],"pad":"` + strings.Repeat("x", 5000) + `"}`, downstream.KindTooLarge},
		{"catalog ok", "catalog", 200, `{"products":[` + validProduct + `]}`, 0},
		{"catalog no inStock", "catalog", 200, `{"products":[{"id":"p1","name":"T","price":{"amountMinor":1,"currency":"EUR"}}]}`, downstream.KindInvalidResponse},
		{"catalog bad id", "catalog", 200, `{"products":[{"id":"p 1","name":"T","price":{"amountMinor":1,"currency":"EUR"},"inStock":true}]}`, downstream.KindInvalidResponse},
		{"recommendations ok", "recommendations", 200, `{"items":[{"productId":"p7","score":0.93}]}`, 0},
		{"recommendations score out of range", "recommendations", 200, `{"items":[{"productId":"p7","score":1.5}]}`, downstream.KindInvalidResponse},
		{"recommendations no score", "recommendations", 200, `{"items":[{"productId":"p7"}]}`, downstream.KindInvalidResponse},
		{"notifications ok", "notifications", 200, `{"unreadCount":1,"items":[{"id":"n1","kind":"SYSTEM","title":"Hi","createdAt":"2026-11-02T08:00:00Z","read":false}]}`, 0},
		{"notifications no count", "notifications", 200, `{"items":[]}`, downstream.KindInvalidResponse},
		{"notifications negative count", "notifications", 200, `{"unreadCount":-1,"items":[]}`, downstream.KindInvalidResponse},
		{"notifications unknown kind", "notifications", 200, `{"unreadCount":0,"items":[{"id":"n1","kind":"SPAM","title":"Hi","createdAt":"2026-11-02T08:00:00Z","read":false}]}`, downstream.KindInvalidResponse},
		{"wallet ok", "wallet", 200, `{"balance":{"amountMinor":0,"currency":"EUR"},"loyaltyPoints":0}`, 0},
		{"wallet no points", "wallet", 200, `{"balance":{"amountMinor":0,"currency":"EUR"}}`, downstream.KindInvalidResponse},
		{"wallet 404", "wallet", 404, `{"error":"user not found"}`, downstream.KindNotFound},
		{"wallet 503", "wallet", 503, ``, downstream.KindBadStatus},
		{"shipping ok", "shipping", 200, `{"shipments":[` + validShipment + `]}`, 0},
		{"shipping optional fields absent", "shipping", 200, `{"shipments":[{"orderId":"o1","carrier":"DHL","status":"LABEL_CREATED"}]}`, 0},
		{"shipping optional fields null", "shipping", 200, `{"shipments":[{"orderId":"o1","carrier":"DHL","status":"DELIVERED","estimatedDelivery":null,"trackingUrl":null}]}`, 0},
		{"shipping empty", "shipping", 200, `{"shipments":[]}`, 0},
		{"shipping no shipments key", "shipping", 200, `{}`, downstream.KindInvalidResponse},
		{"shipping null entry", "shipping", 200, `{"shipments":[null]}`, downstream.KindInvalidResponse},
		{"shipping unknown status", "shipping", 200, `{"shipments":[` + strings.Replace(validShipment, "IN_TRANSIT", "LOST", 1) + `]}`, downstream.KindInvalidResponse},
		{"shipping no status", "shipping", 200, `{"shipments":[` + strings.Replace(validShipment, `"status":"IN_TRANSIT",`, "", 1) + `]}`, downstream.KindInvalidResponse},
		{"shipping no carrier", "shipping", 200, `{"shipments":[` + strings.Replace(validShipment, `"carrier":"DHL",`, "", 1) + `]}`, downstream.KindInvalidResponse},
		{"shipping bad order id", "shipping", 200, `{"shipments":[` + strings.Replace(validShipment, `"o1"`, `"o/1"`, 1) + `]}`, downstream.KindInvalidResponse},
		{"shipping bad time", "shipping", 200, `{"shipments":[` + strings.Replace(validShipment, "2026-11-05T00:00:00Z", "next week", 1) + `]}`, downstream.KindInvalidResponse},
		{"shipping 404 on batch", "shipping", 404, `{"error":"nope"}`, downstream.KindBadStatus},
		{"shipping 500", "shipping", 500, ``, downstream.KindBadStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := fixed(t, tt.status, tt.body)
			err := calls[tt.call](c)
			if got := kindOf(err); got != tt.want {
				t.Errorf("kind %v (err %v); want %v", got, err, tt.want)
			}
			if err != nil {
				var e *downstream.Error
				if !errors.As(err, &e) || string(e.Service) != tt.call {
					t.Errorf("error %v; want a *downstream.Error of %s", err, tt.call)
				}
			}
		})
	}
}

func TestRequestHeadersAndURL(t *testing.T) {
	c, last := fixed(t, 200, `{"products":[`+validProduct+`]}`)
	ctx, cancel := context.WithTimeout(requestid.NewContext(context.Background(), "req-7"), 800*time.Millisecond)
	defer cancel()
	got, err := c.Products(ctx, []string{"p1", "p2", "p3"})
	if err != nil || got["p1"] == nil || got["p2"] != nil {
		t.Fatalf("Products = %v, %v; want p1 only", got, err)
	}
	if last.URL.Path != "/base/v1/products" || last.URL.RawQuery != "ids=p1,p2,p3" {
		t.Errorf("URL %s; want /base/v1/products?ids=p1,p2,p3", last.URL)
	}
	if id := last.Header.Get("X-Request-Id"); id != "req-7" {
		t.Errorf("X-Request-Id %q; want req-7", id)
	}
	if a := last.Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept %q; want application/json", a)
	}
	ms := last.Header.Get("X-Timeout-Ms")
	if len(ms) != 3 || ms > "800" || ms < "500" {
		t.Errorf("X-Timeout-Ms %q; want the budget left, just under 800", ms)
	}
}

func TestContextEndsTheCall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"balance":`)) // then nothing more: a trickle that stalls
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := downstream.New(downstream.Config{Services: sameURL(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Wallet(ctx, "u1"); kindOf(err) != downstream.KindDeadline {
		t.Errorf("after the deadline: %v; want KindDeadline", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := c.Wallet(ctx2, "u1"); kindOf(err) != downstream.KindCanceled {
		t.Errorf("cancelled: %v; want KindCanceled", err)
	}
}

// sameURL configures every service at url, with one attempt per call (these
// tests look at single attempts).
func sameURL(url string) map[downstream.Service]downstream.ServiceConfig {
	m := map[downstream.Service]downstream.ServiceConfig{}
	for _, s := range downstream.Services() {
		m[s] = downstream.ServiceConfig{URL: url, Policy: resilience.Policy{Attempts: 1, NoDedupe: true}}
	}
	return m
}

func TestNewRejectsBadURLs(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"missing", ""},
		{"no scheme", "orders:8080"},
		{"ftp", "ftp://orders"},
		{"query", "http://orders/?x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			services := sameURL("http://127.0.0.1:1")
			services[downstream.Orders] = downstream.ServiceConfig{URL: tt.url}
			_, err := downstream.New(downstream.Config{Services: services})
			if err == nil || !strings.Contains(err.Error(), "orders") {
				t.Errorf("New with orders URL %q: %v; want an error naming orders", tt.url, err)
			}
		})
	}
	c, err := downstream.New(downstream.Config{Services: sameURL("http://127.0.0.1:1")})
	if err != nil {
		t.Errorf("New with good URLs: %v", err)
	} else {
		c.Close()
	}
}

// A body declared larger than the cap is refused from its headers: the
// client does not wait for, nor read, a body it would refuse.
func TestDeclaredTooLarge(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"orders":[`))
		http.NewResponseController(w).Flush() //nolint:errcheck // best effort
		select {                              // the rest never comes while the client waits
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := downstream.New(downstream.Config{Services: sameURL(srv.URL), MaxBodyBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = c.Orders(ctx, "u1", 10)
	if got := kindOf(err); got != downstream.KindTooLarge {
		t.Errorf("kind %v (err %v); want %v", got, err, downstream.KindTooLarge)
	}
}

// The shipping batch sends its ids in orderIds, as its declaration says, and
// keys the shipments found by order id.
func TestShipmentsURLAndKeys(t *testing.T) {
	c, last := fixed(t, 200, `{"shipments":[`+validShipment+`]}`)
	got, err := c.Shipments(context.Background(), []string{"o1", "o2"})
	if err != nil || got["o1"] == nil || got["o1"].Carrier != "DHL" || got["o2"] != nil || len(got) != 1 {
		t.Fatalf("Shipments = %v, %v; want o1's only", got, err)
	}
	if last.URL.Path != "/base/v1/shipments" || last.URL.RawQuery != "orderIds=o1,o2" {
		t.Errorf("URL %s; want /base/v1/shipments?orderIds=o1,o2", last.URL)
	}
	if none, err := c.Shipments(context.Background(), nil); err != nil || len(none) != 0 {
		t.Errorf("Shipments(nil) = %v, %v; want none, without a call", none, err)
	}
}
