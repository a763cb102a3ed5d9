package deadline_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/resolvers"
)

func TestParse(t *testing.T) {
	const limit = 1500 * time.Millisecond
	tests := []struct {
		header  string
		want    time.Duration
		wantErr bool
	}{
		{"", limit, false},
		{"1", time.Millisecond, false},
		{"200", 200 * time.Millisecond, false},
		{"1500", limit, false},
		{"999999999999", limit, false},
		{"9223372036854775807", limit, false}, // the largest int64
		{"9223372036854775808", limit, false}, // too large for one: clamped all the same
		{"99999999999999999999", limit, false},
		{"99999999999999999999999", limit, false},
		{"+200", 200 * time.Millisecond, false},
		{"+99999999999999999999", limit, false},
		{"0", 0, true},
		{"-3", 0, true},
		{"-99999999999999999999", 0, true},
		{"1.5", 0, true},
		{"1e3", 0, true},
		{"soon", 0, true},
		{" 200", 0, true},
		{"99999999999999999999x", 0, true},
		{"0x10", 0, true},
		{"1_000", 0, true},
	}
	for _, tt := range tests {
		got, err := deadline.Parse(tt.header, limit)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.header, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var left time.Duration
	h := deadline.Middleware(time.Second)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, ok := r.Context().Deadline()
		if !ok {
			t.Fatal("no deadline in the request's context")
		}
		left = time.Until(dl)
	}))
	tests := []struct {
		header   string
		status   int
		min, max time.Duration
	}{
		{"", 200, 900 * time.Millisecond, time.Second},
		{"100", 200, 50 * time.Millisecond, 100 * time.Millisecond},
		{"x", 400, 0, 0},
	}
	for _, tt := range tests {
		left = 0
		req := httptest.NewRequest(http.MethodPost, "/query", nil)
		if tt.header != "" {
			req.Header.Set(deadline.Header, tt.header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status || left < tt.min || left > tt.max {
			t.Errorf("X-Timeout-Ms %q: status %d, deadline in %v; want %d, in %v..%v", tt.header, rec.Code, left, tt.status, tt.min, tt.max)
		}
	}
}

// A request whose deadline passed before execution gets DEADLINE_EXCEEDED,
// not gqlgen's empty response.
func TestGuard(t *testing.T) {
	for _, guarded := range []bool{false, true} {
		exec := executor.New(graph.NewExecutableSchema(graph.Config{Resolvers: resolvers.New(dashboard.New(dashboard.Options{}))}))
		if guarded {
			exec.Use(deadline.Guard{})
		}
		ctx, cancel := context.WithTimeout(graphql.StartOperationTrace(context.Background()), time.Nanosecond)
		<-ctx.Done()
		opCtx, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: `{ dashboard(userId: "u1") { userId } }`})
		if errs != nil {
			t.Fatal(errs)
		}
		handler, ctx := exec.DispatchOperation(ctx, opCtx)
		resp := handler(ctx)
		cancel()
		switch {
		case !guarded && resp != nil:
			t.Fatalf("unguarded: %+v; the test no longer shows gqlgen's nil response", resp)
		case guarded && (resp == nil || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "DEADLINE_EXCEEDED"):
			t.Errorf("guarded: %+v; want one DEADLINE_EXCEEDED error", resp)
		}
	}
}
