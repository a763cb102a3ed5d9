package downstream

import (
	"testing"

	gojson "github.com/goccy/go-json"
)

// A broken answer's error names the field precisely, list index included.
func TestValidationNamesTheField(t *testing.T) {
	tests := []struct {
		name, body string
		into       interface{ validate() error }
		want       string
	}{
		{"order id", `{"id":"a b","status":"PAID","placedAt":"2026-01-01T00:00:00Z","total":{"amountMinor":1,"currency":"EUR"},"items":[]}`,
			new(Order), `id "a b" is not a valid id`},
		{"item's currency", `{"id":"o1","status":"PAID","placedAt":"2026-01-01T00:00:00Z","total":{"amountMinor":1,"currency":"EUR"},
			"items":[{"productId":"p1","quantity":1,"unitPrice":{"amountMinor":1,"currency":"EUR"}},{"productId":"p2","quantity":1,"unitPrice":{"amountMinor":1,"currency":"eur"}}]}`,
			new(Order), `items[1].unitPrice.currency "eur" is not an ISO 4217 code`},
		{"item's amount", `{"id":"o1","status":"PAID","placedAt":"2026-01-01T00:00:00Z","total":{"amountMinor":1,"currency":"EUR"},
			"items":[{"productId":"p1","quantity":1,"unitPrice":{"amountMinor":4294967296,"currency":"EUR"}}]}`,
			new(Order), `items[0].unitPrice.amountMinor 4294967296 does not fit the schema's Int`},
		{"items missing", `{"id":"o1","status":"PAID","placedAt":"2026-01-01T00:00:00Z","total":{"amountMinor":1,"currency":"EUR"}}`,
			new(Order), `items missing`},
		{"item's read", `{"unreadCount":1,"items":[{"id":"n1","kind":"SYSTEM","title":"t","createdAt":"2026-01-01T00:00:00Z"}]}`,
			new(NotificationFeed), `items[0].read missing`},
		{"count", `{"unreadCount":-1,"items":[]}`, new(NotificationFeed), `unreadCount missing or outside 0..2147483647`},
		{"kind", `{"unreadCount":0,"items":[{"id":"n1","kind":"SPAM","title":"t","createdAt":"2026-01-01T00:00:00Z","read":true}]}`,
			new(NotificationFeed), `items[0].kind "SPAM" is not one of the known values`},
		{"wallet", `{"balance":{"currency":"EUR"},"loyaltyPoints":3}`, new(UserWallet), `balance.amountMinor missing`},
		{"shipment's status", `{"shipments":[{"orderId":"o1","carrier":"DHL","status":"DELIVERED"},{"orderId":"o2","carrier":"DHL","status":"LOST"}]}`,
			new(shipmentsResponse), `shipments[1]: status "LOST" is not one of the known values`},
		{"shipment's estimated delivery", `{"shipments":[{"orderId":"o1","carrier":"DHL","status":"IN_TRANSIT","estimatedDelivery":"9999-12-31T23:00:00-05:00"}]}`,
			new(shipmentsResponse), `shipments[0]: estimatedDelivery 9999-12-31 23:00:00 -0500 -0500 is outside the years RFC 3339 can write`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := gojson.Unmarshal([]byte(tc.body), tc.into); err != nil {
				t.Fatal(err)
			}
			err := tc.into.validate()
			if err == nil || err.Error() != tc.want {
				t.Errorf("validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

// Validating a good answer builds no strings: field names are made only
// for the problem found.
func TestValidAnswerCostsNoAllocations(t *testing.T) {
	var o Order
	body := `{"id":"o1","status":"PAID","placedAt":"2026-01-01T00:00:00Z","total":{"amountMinor":3,"currency":"EUR"},
		"items":[{"productId":"p1","quantity":1,"unitPrice":{"amountMinor":1,"currency":"EUR"}},{"productId":"p2","quantity":2,"unitPrice":{"amountMinor":1,"currency":"EUR"}}]}`
	if err := gojson.Unmarshal([]byte(body), &o); err != nil {
		t.Fatal(err)
	}
	var f NotificationFeed
	if err := gojson.Unmarshal([]byte(`{"unreadCount":1,"items":[{"id":"n1","kind":"SYSTEM","title":"t","createdAt":"2026-01-01T00:00:00Z","read":false}]}`), &f); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if o.validate() != nil || f.validate() != nil {
			t.Fatal("valid answer refused")
		}
	}); n != 0 {
		t.Errorf("validation allocated %v times per run, want 0", n)
	}
}
