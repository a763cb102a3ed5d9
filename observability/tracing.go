package observability

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Tracing is the process's tracer provider, the propagator of trace context
// in and out (W3C traceparent and baggage), and the function that flushes
// and stops it.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	Shutdown   func(context.Context) error
}

// Tracer returns the gateway's tracer.
func (t *Tracing) Tracer() trace.Tracer {
	return t.Provider.Tracer("github.com/acme/dashboard-gateway")
}

// TracingFromEnv configures tracing from the standard OpenTelemetry
// environment variables. Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_SDK_DISABLED is not
// "true"): spans go to that OTLP/HTTP endpoint in batches, sampled as
// OTEL_TRACES_SAMPLER says (default: parent-based, always on), from a
// service named by OTEL_SERVICE_NAME (default dashboard-gateway), with
// attrs on its resource (the caller's service.version and
// service.instance.id); OTEL_RESOURCE_ATTRIBUTES adds more (a pod's
// k8s.pod.name) or overrides them. The
// exporter reads its other OTEL_EXPORTER_OTLP_* settings (headers, timeout,
// compression) itself. Otherwise TracingFromEnv returns nil: tracing is
// off, nothing is wrapped, and it costs nothing.
func TracingFromEnv(ctx context.Context, getenv func(string) string, attrs ...attribute.KeyValue) (*Tracing, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") ||
		getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return nil, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := Resource(ctx, attrs...)
	if err != nil {
		return nil, err
	}
	return NewTracing(sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))), nil
}

// Resource is the process's OpenTelemetry resource: service.name
// dashboard-gateway and attrs, under what OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES (of the process's environment) say, which win.
func Resource(ctx context.Context, attrs ...attribute.KeyValue) (*resource.Resource, error) {
	res, err := resource.New(ctx,
		resource.WithAttributes(append([]attribute.KeyValue{attribute.String("service.name", "dashboard-gateway")}, attrs...)...),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return res, nil
}

// NewTracing returns Tracing over an SDK tracer provider (tests pass one
// with an in-memory exporter).
func NewTracing(tp *sdktrace.TracerProvider) *Tracing {
	return &Tracing{
		Provider:   tp,
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		Shutdown:   tp.Shutdown,
	}
}
