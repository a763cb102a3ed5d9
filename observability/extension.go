package observability

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Extension is the gqlgen extension that watches each operation: it records
// the operation's name, traces the operation and every Dashboard field,
// counts the response's errors by code, and, when the server allows it and
// the client asks ({"extensions":{"timing":true}}), adds the timings of every
// downstream-backed field (products included) and service to the response's
// extensions.
//
// Products get no span each: they all wait on the catalog's batched calls,
// whose spans say everything theirs would, and a full dashboard has dozens
// of them.
type Extension struct {
	Metrics     *Metrics     // nil: no metrics
	Tracer      trace.Tracer // nil: no spans
	FieldTiming bool         // clients may ask for timings in extensions
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
	graphql.ResponseInterceptor
} = Extension{}

// ExtensionName implements graphql.HandlerExtension.
func (Extension) ExtensionName() string { return "Observability" }

// Validate implements graphql.HandlerExtension.
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor.
func (e Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	name := ""
	if op := graphql.GetOperationContext(ctx).Operation; op != nil {
		name = op.Name
	}
	if rec := FromContext(ctx); rec != nil {
		rec.setOperation(name)
	}
	if e.Tracer == nil {
		return next(ctx)
	}
	ctx, span := e.Tracer.Start(ctx, "graphql.operation "+spanName(name),
		trace.WithAttributes(attribute.String("graphql.operation.name", name)))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		span.End()
		return resp
	}
}

func spanName(op string) string {
	if op == "" {
		return "anonymous"
	}
	return op
}

// downstreamBacked reports whether a field's resolver waits on a service.
func downstreamBacked(fc *graphql.FieldContext) bool {
	if !fc.IsResolver {
		return false
	}
	switch fc.Object {
	case "Dashboard", "OrderItem", "Recommendation":
		return true
	}
	return false
}

// InterceptField implements graphql.FieldInterceptor.
func (e Extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !downstreamBacked(fc) {
		return next(ctx)
	}
	timing := e.FieldTiming && timingAsked(ctx)
	if e.Tracer == nil && !timing {
		return next(ctx)
	}
	start := time.Now()
	var span trace.Span
	if e.Tracer != nil && fc.Object == "Dashboard" {
		ctx, span = e.Tracer.Start(ctx, "graphql.field "+fc.Object+"."+fc.Field.Name,
			trace.WithAttributes(attribute.String("graphql.field.path", fc.Path().String())))
	}
	res, err := next(ctx)
	if span != nil {
		if err != nil {
			span.SetStatus(codes.Error, "field failed")
		}
		span.End()
	}
	if timing {
		if rec := FromContext(ctx); rec != nil {
			rec.addField(fc.Path().String(), time.Since(start))
		}
	}
	return res, err
}

func timingAsked(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	asked, _ := graphql.GetOperationContext(ctx).Extensions["timing"].(bool)
	return asked
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (e Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	rec := FromContext(ctx)
	deadline := false
	for _, gqlErr := range resp.Errors {
		code, _ := gqlErr.Extensions["code"].(string)
		service, _ := gqlErr.Extensions["service"].(string)
		deadline = deadline || code == "DEADLINE_EXCEEDED"
		if e.Metrics != nil {
			e.Metrics.observeError(code, service)
		}
		if rec != nil {
			rec.addCode(code)
		}
	}
	if deadline && e.Metrics != nil {
		e.Metrics.deadlineExceeded.Inc()
	}
	if e.FieldTiming && rec != nil && timingAsked(ctx) {
		_, _, _, services, fields := rec.snapshot()
		svc := make(map[string]float64, len(services))
		for k, v := range services {
			svc[k] = ms(v)
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["timing"] = map[string]any{
			"totalMs":  ms(time.Since(rec.Start)),
			"services": svc,
			"fields":   fields,
		}
	}
	return resp
}
