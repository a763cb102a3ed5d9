package gateway_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/acme/dashboard-gateway/observability"
)

// BenchmarkObservabilityOverhead runs the full query against instant
// services with no metrics or tracing, with metrics, and with metrics and
// tracing (every request sampled, spans batched to an exporter that drops
// them). Each request asks for another user. See BENCHMARKS.md.
func BenchmarkObservabilityOverhead(b *testing.B) {
	for _, mode := range []string{"off", "metrics", "metrics+tracing"} {
		b.Run(mode, func(b *testing.B) {
			o := envOptions{bench: true, noMetrics: mode == "off"}
			if mode == "metrics+tracing" {
				tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				o.tracing = observability.NewTracing(tp)
			}
			e := newEnv(b, o)
			var user atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					vars := map[string]any{"id": "u" + strconv.FormatInt(user.Add(1)%100000+1, 10)}
					if r := e.post(b, fullQuery, vars); len(r.gql.Errors) > 0 {
						b.Errorf("errors %+v", r.gql.Errors)
						return
					}
				}
			})
		})
	}
}
