package observability

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestOperationLabel(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	tests := []struct {
		name    string
		started bool
		want    string
	}{
		{"", false, "none"},
		{"", true, "anonymous"},
		{"Dashboard", true, "Dashboard"},
		{"has space", true, "other"},
		{strings.Repeat("a", 65), true, "other"},
		{"Dashboard", true, "Dashboard"},
	}
	for _, tt := range tests {
		if got := m.operationLabel(tt.name, tt.started); got != tt.want {
			t.Errorf("operationLabel(%q, %v) = %q; want %q", tt.name, tt.started, got, tt.want)
		}
	}
}

func TestServerTimingFormat(t *testing.T) {
	_, rec := NewContext(context.Background())
	rec.AddServiceTime("wallet", 12340*time.Microsecond)
	rec.AddServiceTime("orders", 5*time.Millisecond)
	rec.AddServiceTime("orders", 5*time.Millisecond)
	got := serverTiming(rec)
	if !strings.HasPrefix(got, "orders;dur=10.0, wallet;dur=12.3, total;dur=") {
		t.Errorf("Server-Timing %q; want services in order, then the total", got)
	}
}

func TestTracingFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		on   bool
	}{
		{"nothing set", nil, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{"disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, false},
	}
	for _, tt := range tests {
		tr, err := TracingFromEnv(context.Background(), env(tt.env))
		if err != nil || (tr != nil) != tt.on {
			t.Errorf("%s: tracing %v, %v; want on = %v", tt.name, tr != nil, err, tt.on)
		}
		if tr != nil {
			_ = tr.Shutdown(context.Background())
		}
	}
}
