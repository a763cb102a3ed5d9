package observability_test

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/simulator"
)

// One access log line per request, with what operators need: method,
// route (never the path), operation, status, duration, request id and
// errors by code; never the query, its variables or the caller's token.
func TestAccessLog(t *testing.T) {
	const secret = "s3cret-token"
	tests := []struct {
		name      string
		behaviors map[string]simulator.Behavior
		body      string
		requestID string
		want      map[string]any // the line's fields but duration_ms and _raw
	}{
		{"a partial answer", failingWallet,
			`{"query":"query Named($id: ID!) { dashboard(userId: $id) { profile { name } wallet { loyaltyPoints } } }","variables":{"id":"u42"}}`,
			"req-access",
			map[string]any{"method": "POST", "route": "/query", "operation": "Named", "status": 200.0, "request_id": "req-access",
				"errors": map[string]any{"UPSTREAM_ERROR": 1.0}}},
		{"an anonymous operation", nil,
			`{"query":"{ dashboard(userId: \"u42\") { profile { name } } }"}`,
			"req-anon",
			map[string]any{"method": "POST", "route": "/query", "operation": "anonymous", "status": 200.0, "request_id": "req-anon"}}, // as in the metrics
		{"a body that is not JSON", nil, `{"query":"{ dashboard(userId: \"u42\")`, "req-bad",
			map[string]any{"method": "POST", "route": "/query", "operation": "none", "status": 400.0, "request_id": "req-bad",
				"errors": map[string]any{"BAD_REQUEST": 1.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, serverOptions{behaviors: tt.behaviors})
			s.post(t, tt.body, "X-Request-Id", tt.requestID, "Authorization", "Bearer "+secret)
			s.finish()
			lines := s.accessLines(t)
			if len(lines) != 1 {
				t.Fatalf("%d access log lines; want 1", len(lines))
			}
			l := lines[0]
			raw := l["_raw"].(string)
			if d, ok := l["duration_ms"].(float64); !ok || d < 0 {
				t.Errorf("access log %s: duration_ms %v; want a duration", raw, l["duration_ms"])
			}
			got := maps.Clone(l)
			delete(got, "duration_ms")
			delete(got, "_raw")
			delete(got, "time")
			delete(got, "level")
			delete(got, "msg")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("access log %s; want the fields %v", raw, tt.want)
			}
			for _, leak := range []string{"dashboard(", "u42", secret} {
				if strings.Contains(raw, leak) {
					t.Errorf("access log %s holds %q", raw, leak)
				}
			}
		})
	}
}
