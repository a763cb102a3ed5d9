package observability

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// Extension is the gqlgen extension that watches each operation: it records
// the operation's name, traces the operation, counts the response's errors
// by code, and, when the server allows it and the client asks
// ({"extensions":{"timing":true}}), adds the timings of every
// service-backed field and of each service to the response's extensions.
//
// It has no field interceptor, which would run for every field of every
// response: the fields that wait on a service call Field themselves, and
// only they get a span ("graphql.field Dashboard.orders") and a timing.
// Products get none of their own: they are fetched with their list, in
// batched calls whose spans say everything theirs would.
type Extension struct {
	Metrics     *Metrics     // nil: no metrics
	Tracer      trace.Tracer // nil: no spans
	FieldTiming bool         // clients may ask for timings in extensions
	// TraceDocument puts the operation's document on its span
	// (graphql.document); off, as it may hold ids a client typed in.
	TraceDocument bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
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
	if w := (fieldWatch{tracer: e.Tracer, timing: e.FieldTiming && timingAsked(ctx)}); w.tracer != nil || w.timing {
		ctx = context.WithValue(ctx, watchKey{}, w)
	}
	if e.Tracer == nil {
		return next(ctx)
	}
	ctx, span := e.Tracer.Start(ctx, operationSpanName(ctx), trace.WithAttributes(operationAttributes(ctx, e.TraceDocument)...))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		span.End()
		return resp
	}
}

// operationSpanName is the operation's span name as OpenTelemetry's
// GraphQL conventions have it: its type and name ("query Dashboard"), its
// type alone when it has no name.
func operationSpanName(ctx context.Context) string {
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil {
		return "GraphQL Operation"
	}
	if op.Name == "" {
		return string(op.Operation)
	}
	return string(op.Operation) + " " + op.Name
}

// operationAttributes are the operation span's attributes, by the same
// conventions: graphql.operation.type, graphql.operation.name when it has
// one, and graphql.document only when document is set (it may hold ids
// and other values a client typed into it).
func operationAttributes(ctx context.Context, document bool) []attribute.KeyValue {
	opCtx := graphql.GetOperationContext(ctx)
	var attrs []attribute.KeyValue
	if op := opCtx.Operation; op != nil {
		attrs = append(attrs, attribute.String("graphql.operation.type", string(op.Operation)))
		if op.Name != "" {
			attrs = append(attrs, attribute.String("graphql.operation.name", op.Name))
		}
	}
	if document {
		attrs = append(attrs, attribute.String("graphql.document", opCtx.RawQuery))
	}
	return attrs
}

// fieldWatch is what Field does in one operation.
type fieldWatch struct {
	tracer trace.Tracer // nil: no spans
	timing bool         // the client asked for field timings, and may
}

type watchKey struct{}

// Field starts watching a service-backed field while it resolves (name is
// its schema coordinate: Dashboard.orders): a span when tracing is on, its
// time in the response's extensions when the client asked for timings,
// and, always, the stale answers it was served (package cache), for the
// response's extensions.stale and Server-Timing. at gives the field's path
// in the response (e.g. dashboards[3].orders), asked only if needed (a
// *graphql.FieldContext does). Call the returned func with the field's
// error when it is done.
func Field(ctx context.Context, name string, at interface{ Path() ast.Path }) (context.Context, func(error)) {
	rec := FromContext(ctx)
	var marks *cache.Marks
	if rec != nil {
		ctx, marks = cache.Watch(ctx)
	}
	stale := func() {
		if s := marks.Stale(); len(s) > 0 {
			rec.addStale(at.Path(), s)
		}
	}
	w, ok := ctx.Value(watchKey{}).(fieldWatch)
	if !ok {
		return ctx, func(error) { stale() }
	}
	start := time.Now()
	var span trace.Span
	if w.tracer != nil {
		ctx, span = w.tracer.Start(ctx, "graphql.field "+name,
			trace.WithAttributes(attribute.String("graphql.field.path", at.Path().String())))
	}
	return ctx, func(err error) {
		stale()
		if span != nil {
			if err != nil {
				e := apierror.Classify(err)
				span.SetAttributes(attribute.String("error.type", string(e.Code)))
				if e.Reason != "" {
					span.SetAttributes(attribute.String("graphql.error.reason", e.Reason))
				}
				span.SetStatus(codes.Error, string(e.Code))
			}
			span.End()
		}
		if w.timing && rec != nil {
			rec.addField(at.Path().String(), time.Since(start))
		}
	}
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
	observe := func(errs gqlerror.List) {
		for _, gqlErr := range errs {
			code, _ := gqlErr.Extensions["code"].(string)
			service, _ := gqlErr.Extensions["service"].(string)
			deadline = deadline || code == string(apierror.DeadlineExceeded)
			if e.Metrics != nil {
				e.Metrics.observeError(code, service)
			}
			if rec != nil {
				rec.addCode(code)
			}
		}
	}
	observe(resp.Errors)
	for _, part := range graphqlhttp.Batch(resp) { // parts ready with resp
		observe(part.Errors)
	}
	if deadline && e.Metrics != nil {
		e.Metrics.deadlineExceeded.Inc()
	}
	if stale := rec.Stale(); len(stale) > 0 {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["stale"] = stale
	}
	if e.FieldTiming && rec != nil && timingAsked(ctx) {
		services := rec.serviceTimes()
		svc := make(map[string]float64, len(services))
		for _, s := range services {
			svc[s.service] = ms(s.d)
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["timing"] = map[string]any{
			"totalMs":  ms(time.Since(rec.Start)),
			"services": svc,
			"fields":   rec.fieldTimes(),
		}
	}
	return resp
}
