package observability_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme/dashboard-gateway/observability"
)

const clientTrace, clientSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"

// wantSpan is a span a request should have produced.
type wantSpan struct {
	name, parent string // parent "client": the client's span
	attrs        []attribute.KeyValue
	status       codes.Code
}

// An operation is a span under the caller's, named and described by
// OpenTelemetry's GraphQL conventions ("query Traced", its type and name;
// no document); each service-backed field is a span under the operation's,
// with its path, in error when the field failed, with the error's code.
// No other field has one.
func TestSpans(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  []wantSpan
	}{
		{"a named operation", `query Traced { dashboard(userId: "u1") { userId profile { name } wallet { loyaltyPoints } } }`, []wantSpan{
			{"query Traced", "client", kv("graphql.operation.type", "query", "graphql.operation.name", "Traced"), codes.Unset},
			{"graphql.field Dashboard.profile", "query Traced", kv("graphql.field.path", "dashboard.profile"), codes.Unset},
			{"graphql.field Dashboard.wallet", "query Traced", kv("graphql.field.path", "dashboard.wallet", "error.type", "UPSTREAM_ERROR", "graphql.error.reason", "bad_status"), codes.Error},
		}},
		{"an anonymous operation over a list", `{ dashboards(userIds: ["u1", "u2"]) { orders { id } } }`, []wantSpan{
			{"query", "client", kv("graphql.operation.type", "query"), codes.Unset},
			{"graphql.field Dashboard.orders", "query", kv("graphql.field.path", "dashboards[0].orders"), codes.Unset},
			{"graphql.field Dashboard.orders", "query", kv("graphql.field.path", "dashboards[1].orders"), codes.Unset},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, serverOptions{tracing: true, behaviors: failingWallet})
			s.post(t, query(t, tt.query, nil), "traceparent", "00-"+clientTrace+"-"+clientSpan+"-01")
			s.finish()
			spans := s.spans.Ended()
			if len(spans) != len(tt.want) {
				t.Errorf("%d spans %v; want %d", len(spans), names(spans), len(tt.want))
			}
			for _, w := range tt.want {
				i := slices.IndexFunc(spans, func(s sdktrace.ReadOnlySpan) bool {
					return s.Name() == w.name && !slices.ContainsFunc(w.attrs, func(a attribute.KeyValue) bool { return !slices.Contains(s.Attributes(), a) })
				})
				if i < 0 {
					t.Errorf("no span %q with %v among %v", w.name, w.attrs, names(spans))
					continue
				}
				for _, a := range spans[i].Attributes() {
					if a.Key == "graphql.document" || a.Key == "graphql.operation.name" && a.Value.AsString() == "" {
						t.Errorf("span %q has %v; want no document (off by default) and no empty name", w.name, a)
					}
				}
				s := spans[i]
				if got := s.SpanContext().TraceID().String(); got != clientTrace {
					t.Errorf("span %q in trace %s; want the client's %s", w.name, got, clientTrace)
				}
				if got := parentName(spans, s); got != w.parent {
					t.Errorf("span %q under %q; want under %q", w.name, got, w.parent)
				}
				if got := s.Status().Code; got != w.status {
					t.Errorf("span %q status %v; want %v", w.name, got, w.status)
				}
			}
		})
	}
}

// kv is attributes from key, value pairs.
func kv(pairs ...string) []attribute.KeyValue {
	var out []attribute.KeyValue
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, attribute.String(pairs[i], pairs[i+1]))
	}
	return out
}

// With -trace-graphql-document, the operation's span carries its document.
func TestSpanDocument(t *testing.T) {
	const q = `query Traced { dashboard(userId: "u1") { userId } }`
	s := newServer(t, serverOptions{tracing: true, document: true})
	s.post(t, query(t, q, nil))
	s.finish()
	for _, sp := range s.spans.Ended() {
		if sp.Name() == "query Traced" && slices.Contains(sp.Attributes(), attribute.String("graphql.document", q)) {
			return
		}
	}
	t.Errorf("no span query Traced with graphql.document among %v", names(s.spans.Ended()))
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

// parentName names s's parent among spans, "client" for the client's span.
func parentName(spans []sdktrace.ReadOnlySpan, s sdktrace.ReadOnlySpan) string {
	id := s.Parent().SpanID()
	if id.String() == clientSpan {
		return "client"
	}
	for _, p := range spans {
		if p.SpanContext().SpanID() == id {
			return p.Name()
		}
	}
	return id.String()
}

// The propagator reads and writes W3C trace context and baggage: what the
// gateway continues from a client and sends to the services. Without a
// span in the context it sends no traceparent.
func TestPropagator(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := observability.NewTracing(tp)
	tests := []struct {
		name            string
		in              http.Header // what the client sent
		wantTrace       string      // the trace of the span started under it; "" for none sent
		wantBaggage     string
		wantTraceparent bool
	}{
		{"a client's trace", http.Header{"Traceparent": {"00-" + clientTrace + "-" + clientSpan + "-01"}}, clientTrace, "", true},
		{"a client's trace and baggage", http.Header{"Traceparent": {"00-" + clientTrace + "-" + clientSpan + "-01"}, "Baggage": {"tenant=acme"}},
			clientTrace, "tenant=acme", true},
		{"no trace context", http.Header{}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tr.Propagator.Extract(context.Background(), propagation.HeaderCarrier(tt.in))
			if tt.wantTrace != "" {
				var span trace.Span
				ctx, span = tr.Tracer().Start(ctx, "call")
				defer span.End()
				if got := span.SpanContext().TraceID().String(); got != tt.wantTrace {
					t.Errorf("span in trace %s; want %s", got, tt.wantTrace)
				}
			}
			out := http.Header{}
			tr.Propagator.Inject(ctx, propagation.HeaderCarrier(out))
			want := ""
			if tt.wantTraceparent {
				want = "00-" + tt.wantTrace + "-" + trace.SpanContextFromContext(ctx).SpanID().String() + "-01"
			}
			if got := out.Get("traceparent"); got != want {
				t.Errorf("traceparent sent %q; want %q", got, want)
			}
			if got := out.Get("baggage"); got != tt.wantBaggage {
				t.Errorf("baggage sent %q; want %q (in context: %v)", got, tt.wantBaggage, baggage.FromContext(ctx))
			}
		})
	}
}
