package observability_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/observability"
)

// Per-field timings appear in extensions only when the server allows them
// and the client asks (with true), for each service-backed field.
func TestFieldTiming(t *testing.T) {
	const q = `{ dashboard(userId: "u1") { userId profile { name } wallet { loyaltyPoints } orders { id } } }`
	tests := []struct {
		name    string
		allowed bool
		asked   map[string]any
		want    bool
	}{
		{"allowed and asked", true, map[string]any{"timing": true}, true},
		{"allowed, not asked", true, nil, false},
		{"allowed, asked false", true, map[string]any{"timing": false}, false},
		{"allowed, asked with a string", true, map[string]any{"timing": "true"}, false},
		{"asked, not allowed", false, map[string]any{"timing": true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, serverOptions{fieldTiming: tt.allowed})
			r := s.post(t, query(t, q, tt.asked))
			var resp struct {
				Extensions struct {
					Timing *struct {
						TotalMs  *float64
						Services map[string]float64
						Fields   []observability.FieldTiming
					}
				}
			}
			if err := json.Unmarshal(r.body, &resp); err != nil {
				t.Fatalf("%s: %v", r.body, err)
			}
			timing := resp.Extensions.Timing
			if (timing != nil) != tt.want {
				t.Fatalf("timing in extensions: %v; want %v (%s)", timing != nil, tt.want, r.body)
			}
			if timing == nil {
				return
			}
			var paths []string
			for _, f := range timing.Fields {
				paths = append(paths, f.Path)
				if f.DurationMs < 0 {
					t.Errorf("field %s took %v ms", f.Path, f.DurationMs)
				}
			}
			slices.Sort(paths)
			if want := []string{"dashboard.orders", "dashboard.profile", "dashboard.wallet"}; !slices.Equal(paths, want) {
				t.Errorf("timed fields %v; want %v", paths, want)
			}
			if timing.TotalMs == nil || *timing.TotalMs < 0 || timing.Services == nil {
				t.Errorf("timing %s; want totalMs and services", r.body)
			}
		})
	}
}

// The response's errors count by code and service; a response with a
// field cut off by the deadline counts once, however many were; timing
// reports the time waited on each service. The errors of parts carried by
// the response (graphqlhttp.BatchExtension) count as the response's.
func TestInterceptResponse(t *testing.T) {
	gqlErr := func(code, service string) *gqlerror.Error {
		ext := map[string]any{"code": code}
		if service != "" {
			ext["service"] = service
		}
		return &gqlerror.Error{Message: "failed", Extensions: ext}
	}
	tests := []struct {
		name        string
		errs        gqlerror.List
		carried     gqlerror.List // of a part carried by the response
		waits       map[string]time.Duration
		want        []series
		wantTimings map[string]float64 // extensions.timing.services
	}{
		{"no error", nil, nil, nil, []series{
			{"gateway_deadline_exceeded_total", map[string]string{}, 0},
		}, map[string]float64{}},
		{"errors by code and service", gqlerror.List{gqlErr("UPSTREAM_ERROR", "orders"), gqlErr("UPSTREAM_ERROR", "orders"), gqlErr("BAD_USER_INPUT", "")}, nil, nil, []series{
			{"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_ERROR", "service": "orders"}, 2},
			{"gateway_graphql_errors_total", map[string]string{"code": "BAD_USER_INPUT", "service": "none"}, 1},
			{"gateway_deadline_exceeded_total", map[string]string{}, 0},
		}, map[string]float64{}},
		{"two fields past the deadline", gqlerror.List{gqlErr("DEADLINE_EXCEEDED", "wallet"), gqlErr("DEADLINE_EXCEEDED", "orders")}, nil, nil, []series{
			{"gateway_graphql_errors_total", map[string]string{"code": "DEADLINE_EXCEEDED", "service": "wallet"}, 1},
			{"gateway_deadline_exceeded_total", map[string]string{}, 1},
		}, map[string]float64{}},
		{"errors of parts ready together", gqlerror.List{gqlErr("UPSTREAM_ERROR", "orders")},
			gqlerror.List{gqlErr("UPSTREAM_ERROR", "orders"), gqlErr("DEADLINE_EXCEEDED", "wallet")}, nil, []series{
				{"gateway_graphql_errors_total", map[string]string{"code": "UPSTREAM_ERROR", "service": "orders"}, 2},
				{"gateway_graphql_errors_total", map[string]string{"code": "DEADLINE_EXCEEDED", "service": "wallet"}, 1},
				{"gateway_deadline_exceeded_total", map[string]string{}, 1},
			}, map[string]float64{}},
		{"services waited on", nil, nil, map[string]time.Duration{"wallet": 12340 * time.Microsecond, "profile": time.Millisecond}, nil,
			map[string]float64{"wallet": 12.34, "profile": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			ext := observability.Extension{Metrics: observability.NewMetrics(reg), FieldTiming: true}
			ctx, rec := observability.NewContext(context.Background())
			for service, d := range tt.waits {
				rec.AddServiceTime(service, d)
			}
			ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{Extensions: map[string]any{"timing": true}})
			resp := ext.InterceptResponse(ctx, func(context.Context) *graphql.Response {
				r := &graphql.Response{Errors: tt.errs}
				if tt.carried != nil {
					r.Extensions = map[string]any{graphqlhttp.BatchExtension: []*graphql.Response{{Errors: tt.carried}}}
				}
				return r
			})
			checkSeries(t, reg, tt.want)
			timing, _ := resp.Extensions["timing"].(map[string]any)
			if got := timing["services"]; !reflect.DeepEqual(got, tt.wantTimings) {
				t.Errorf("timing.services %v; want %v", got, tt.wantTimings)
			}
		})
	}
}
