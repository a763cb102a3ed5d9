package gateway_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/observability"
)

// BenchmarkObservabilityOverhead runs the full query against instant
// services with no metrics or tracing, with metrics, and with metrics and
// tracing (every request sampled, spans batched to an exporter that drops
// them). Each request asks for another user. See BENCHMARKS.md.
func BenchmarkObservabilityOverhead(b *testing.B) {
	for _, mode := range []string{"off", "metrics", "metrics+tracing"} {
		b.Run(mode, func(b *testing.B) {
			o := gatewaytest.Options{Bench: true, NoMetrics: mode == "off"}
			if mode == "metrics+tracing" {
				tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				o.Tracing = observability.NewTracing(tp)
			}
			postFullQueries(b, gatewaytest.New(b, o), 8, everyUser())
		})
	}
}
