package downstream

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/simulator"
)

// dashboardAnswers are the answers a dashboard of the default arguments
// decodes (the first 10 orders, recommendations and notifications; the
// products of the orders and recommendations in one batch), as the
// simulator sends them, with a value of the type each decodes into.
func dashboardAnswers(tb testing.TB) []struct {
	name string
	body []byte
	into func() response
} {
	tb.Helper()
	sim := simulator.New(simulator.Options{Seed: 1})
	get := func(svc, target string) []byte {
		rec := httptest.NewRecorder()
		sim.Handler(svc).ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		if rec.Code != 200 {
			tb.Fatalf("%s %s: %d %s", svc, target, rec.Code, body)
		}
		return body
	}
	products := make([]string, 25)
	for i := range products {
		products[i] = fmt.Sprintf("p%d", i+1)
	}
	return []struct {
		name string
		body []byte
		into func() response
	}{
		{"profile", get(simulator.Profile, "/v1/users/u1"), func() response { return new(UserProfile) }},
		{"orders", get(simulator.Orders, "/v1/users/u1/orders?limit=10"), func() response { return new(ordersResponse) }},
		{"products", get(simulator.Catalog, "/v1/products?ids="+strings.Join(products, ",")), func() response { return new(productsResponse) }},
		{"recommendations", get(simulator.Recommendations, "/v1/users/u1/recommendations?limit=10"), func() response { return new(recommendationsResponse) }},
		{"notifications", get(simulator.Notifications, "/v1/users/u1/notifications?limit=10&unreadOnly=false"), func() response { return new(NotificationFeed) }},
		{"wallet", get(simulator.Wallet, "/v1/users/u1/wallet"), func() response { return new(UserWallet) }},
	}
}

// BenchmarkDecodeAnswer measures decodeAnswer, the decoding and validation
// of every 200 answer, on the answers of one dashboard ("all"), and the
// part of it that checks the keys (checkKeys).
//
//	go test ./downstream -run '^$' -bench DecodeAnswer -count 5
func BenchmarkDecodeAnswer(b *testing.B) {
	for _, a := range dashboardAnswers(b) {
		for _, part := range []struct {
			name string
			run  func() error
		}{
			{"all", func() error { return decodeAnswer(a.body, a.into()) }},
			{"checkKeys", func() error { return checkKeys(a.body, answerKeys) }},
		} {
			b.Run(a.name+"/"+part.name, func(b *testing.B) {
				b.SetBytes(int64(len(a.body)))
				b.ReportAllocs()
				for b.Loop() {
					if err := part.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
