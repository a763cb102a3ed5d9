package downstream_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/acme/dashboard-gateway/downstream"
)

// counting is a service that counts the requests it gets and answers 200
// with an empty but valid answer for whatever was asked.
func counting(tb testing.TB, caller func(context.Context) string) (*downstream.Clients, *atomic.Int64) {
	tb.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"users":[],"products":[],"shipments":[],"orders":[],"items":[],"unreadCount":0}`))
	}))
	tb.Cleanup(srv.Close)
	c, err := downstream.New(downstream.Config{Services: sameURL(srv.URL), Caller: caller})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c, &n
}

// Every client refuses what the contract does not allow before it builds a
// URL: ids that are not of the contract's format (as path segments, or in a
// batch's list) and batches of more than 100 ids. No request leaves.
func TestClientsRefuseBeforeAnyCall(t *testing.T) {
	ctx := context.Background()
	c, requests := counting(t, nil)
	hundredAndOne := make([]string, 101)
	for i := range hundredAndOne {
		hundredAndOne[i] = fmt.Sprintf("p%d", i)
	}
	bad := []string{"", ".", "..", "../wallet", "u1/../u2", "..%2F..%2Fadmin", "u1,u2", "u1?x=1", "u 1", strings.Repeat("u", 65)}
	type call struct {
		name string
		do   func(id string) error
	}
	perUser := []call{
		{"orders", func(id string) error { _, err := c.Orders(ctx, id, 10); return err }},
		{"recommendations", func(id string) error { _, err := c.Recommendations(ctx, id, 10); return err }},
		{"notifications", func(id string) error { _, err := c.Notifications(ctx, id, 10, false); return err }},
		{"wallet", func(id string) error { _, err := c.Wallet(ctx, id); return err }},
		{"profiles", func(id string) error { _, err := c.Profiles(ctx, []string{"u1", id}); return err }},
		{"products", func(id string) error { _, err := c.Products(ctx, []string{"p1", id}); return err }},
		{"shipments", func(id string) error { _, err := c.Shipments(ctx, []string{"o1", id}); return err }},
	}
	for _, cl := range perUser {
		for _, id := range bad {
			if err := cl.do(id); kindOf(err) != downstream.KindInvalidRequest {
				t.Errorf("%s with id %q: %v; want KindInvalidRequest", cl.name, id, err)
			}
		}
	}
	if _, err := c.Products(ctx, hundredAndOne); kindOf(err) != downstream.KindInvalidRequest {
		t.Errorf("101 products: %v; want KindInvalidRequest", err)
	}
	if _, err := c.Profiles(ctx, hundredAndOne); kindOf(err) != downstream.KindInvalidRequest {
		t.Errorf("101 profiles: %v; want KindInvalidRequest", err)
	}
	if _, err := c.Shipments(ctx, hundredAndOne); kindOf(err) != downstream.KindInvalidRequest {
		t.Errorf("101 shipments: %v; want KindInvalidRequest", err)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the service; want none", n)
	}
	if _, err := c.Products(ctx, hundredAndOne[:100]); err != nil {
		t.Errorf("100 products: %v; want them fetched", err)
	}
	if _, err := c.Shipments(ctx, hundredAndOne[:100]); err != nil {
		t.Errorf("100 shipments: %v; want them fetched", err)
	}
}

// A caller subject that a header cannot carry never goes out: the call is
// refused as invalid, and the breaker does not count it against the service.
func TestUnsafeSubjectIsRefused(t *testing.T) {
	c, requests := counting(t, func(context.Context) string { return "u1\r\nX-Auth-Subject: admin" })
	for range 30 { // more than the breaker's consecutive-failure threshold
		if _, err := c.Wallet(context.Background(), "u1"); kindOf(err) != downstream.KindInvalidRequest {
			t.Fatalf("wallet with an unsafe subject: %v; want KindInvalidRequest", err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the service; want none", n)
	}
	if s := c.Resilience(downstream.Wallet).BreakerState(); s != "closed" {
		t.Errorf("breaker %s; want closed", s)
	}
}

// A redirect is an answer, not an instruction: it is a bad status, and the
// caller's subject and request id never reach where it points.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	c, err := downstream.New(downstream.Config{Services: sameURL(srv.URL), Caller: func(context.Context) string { return "u1" }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Wallet(context.Background(), "u1")
	var e *downstream.Error
	if kindOf(err) != downstream.KindBadStatus || !errors.As(err, &e) || e.Status != http.StatusFound {
		t.Errorf("wallet answered with a 302: %v; want KindBadStatus with status 302", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect's target got %d requests; want none", n)
	}
}
