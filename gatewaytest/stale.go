package gatewaytest

import (
	"encoding/json"
	"testing"
)

// StaleResponse is a GraphQL response with the extensions.stale the
// gateway adds when it answers a field from its stale-if-error cache.
type StaleResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions struct {
		Stale []struct {
			Path    []any  `json:"path"`
			Service string `json:"service"`
			AgeMs   int64  `json:"ageMs"`
		} `json:"stale"`
	} `json:"extensions"`
}

// Stale decodes the response's body with its extensions.stale.
func (r Result) Stale(tb testing.TB) StaleResponse {
	tb.Helper()
	var s StaleResponse
	if err := json.Unmarshal(r.Body, &s); err != nil {
		tb.Fatalf("%v: %s", err, r.Body)
	}
	return s
}

// OrdersOf returns data.dashboard.orders of a response's data as raw JSON,
// "" when null.
func OrdersOf(tb testing.TB, data json.RawMessage) string {
	tb.Helper()
	var d struct {
		Dashboard struct {
			Orders json.RawMessage `json:"orders"`
		} `json:"dashboard"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		tb.Fatalf("%v: %s", err, data)
	}
	if string(d.Dashboard.Orders) == "null" {
		return ""
	}
	return string(d.Dashboard.Orders)
}
