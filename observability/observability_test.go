package observability

import (
	"context"
	"fmt"
	"go.opentelemetry.io/otel/attribute"
	"strings"
	"testing"
	"time"
)

// The label of each kind of operation name.
func TestOperationLabel(t *testing.T) {
	o := newOperationLabels(time.Now, func(string) {})
	tests := []struct {
		name    string
		started bool
		want    string
	}{
		{"", false, "none"},
		{"Dashboard", false, "none"},
		{"", true, "anonymous"},
		{"Dashboard", true, "Dashboard"},
		{"Dashboard", true, "Dashboard"}, // again: the same label
		{"_private2", true, "_private2"},
		{strings.Repeat("a", 64), true, strings.Repeat("a", 64)},
		{strings.Repeat("a", 65), true, "other"},
		{"has space", true, "other"},
		{"2fast", true, "other"},
		{"Dash-board", true, "other"},
	}
	for _, tt := range tests {
		if got := o.label(tt.name, tt.started); got != tt.want {
			t.Errorf("label(%.20q, started %v): got %q; want %q", tt.name, tt.started, got, tt.want)
		}
	}
}

// Made-up operation names cannot keep a real operation without its label:
// labels go to the names with the most recent requests, and a name that
// loses its label has its series deleted.
func TestOperationLabelsFollowTraffic(t *testing.T) {
	now := time.Unix(0, 0)
	var evicted []string
	o := newOperationLabels(func() time.Time { return now }, func(name string) { evicted = append(evicted, name) })
	// An attacker's burst arrives first and takes every label.
	for i := range MaxOperations {
		for range 3 {
			o.label(fmt.Sprintf("Junk%d", i), true)
		}
	}
	if got := o.label("Dashboard", true); got != "other" {
		t.Fatalf("a new name while the burst is fresh: %q; want other", got)
	}
	// Real traffic keeps coming; the burst does not.
	for range 10 {
		now = now.Add(operationsHalfLife)
		for range 2 {
			o.label("Dashboard", true)
		}
	}
	if got := o.label("Dashboard", true); got != "Dashboard" {
		t.Errorf("the real operation after the burst faded: %q; want its own label", got)
	}
	if len(evicted) != 1 || !strings.HasPrefix(evicted[0], "Junk") {
		t.Errorf("evicted %v; want one junk name", evicted)
	}
	// Unlabelled names are bounded too.
	for i := range 10000 {
		o.label(fmt.Sprintf("Spray%d", i), true)
	}
	if len(o.waiting) > 4*MaxOperations || len(o.labelled) > MaxOperations {
		t.Errorf("%d names waiting, %d labelled; want at most %d and %d", len(o.waiting), len(o.labelled), 4*MaxOperations, MaxOperations)
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

// The resource names the service, its version and this instance, and
// takes a pod's identity from OTEL_RESOURCE_ATTRIBUTES, as the manifests
// set it.
func TestResource(t *testing.T) {
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "k8s.pod.name=gw-7f9c,k8s.namespace.name=shop")
	res, err := Resource(context.Background(), attribute.String("service.version", "v1.4.0"), attribute.String("service.instance.id", "i-1"))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"service.name": "dashboard-gateway", "service.version": "v1.4.0", "service.instance.id": "i-1",
		"k8s.pod.name": "gw-7f9c", "k8s.namespace.name": "shop"} {
		if v, ok := res.Set().Value(attribute.Key(k)); !ok || v.AsString() != want {
			t.Errorf("resource %s = %q; want %q", k, v.AsString(), want)
		}
	}
}
