package apierror_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/requestid"
)

func TestPresenter(t *testing.T) {
	path := ast.Path{ast.PathName("dashboard"), ast.PathName("orders")}
	onPath := func(err error) error { return gqlerror.WrapPath(path, err) }
	down := func(k downstream.Kind, s downstream.Service) error {
		return onPath(fmt.Errorf("loader: %w", &downstream.Error{Service: s, Op: "get", Kind: k, Err: errors.New("dial tcp 10.0.0.7:80: connection refused")}))
	}
	parseErr := gqlerror.Errorf("Expected Name, found <EOF>")
	parseErr.Extensions = map[string]any{"code": "GRAPHQL_PARSE_FAILED"}
	tests := []struct {
		name    string
		err     error
		code    string
		service string
		reason  string
		message string
		logged  bool
	}{
		{"input", onPath(apierror.BadInput("first must be between 0 and %d", 50)), "BAD_USER_INPUT", "", "", "first must be between 0 and 50", false},
		{"not found", down(downstream.KindNotFound, downstream.Wallet), "NOT_FOUND", "wallet", "", "user not found", false},
		{"product not found", down(downstream.KindNotFound, downstream.Catalog), "NOT_FOUND", "catalog", "", "product not found", false},
		{"deadline", down(downstream.KindDeadline, downstream.Orders), "DEADLINE_EXCEEDED", "orders", "", "orders service did not answer before the request deadline", true},
		{"status", down(downstream.KindBadStatus, downstream.Orders), "UPSTREAM_ERROR", "orders", "bad_status", "orders service unavailable", true},
		{"connection", down(downstream.KindConnection, downstream.Profile), "UPSTREAM_ERROR", "profile", "connection_failed", "profile service unavailable", true},
		{"invalid", down(downstream.KindInvalidResponse, downstream.Catalog), "UPSTREAM_ERROR", "catalog", "invalid_response", "catalog service sent an invalid response", true},
		{"too large", down(downstream.KindTooLarge, downstream.Catalog), "UPSTREAM_ERROR", "catalog", "response_too_large", "catalog service sent an invalid response", true},
		{"shipping", down(downstream.KindBadStatus, downstream.Shipping), "UPSTREAM_ERROR", "shipping", "bad_status", "shipping service unavailable", true},
		{"cancelled", down(downstream.KindCanceled, downstream.Wallet), "CANCELLED", "wallet", "", "the request was cancelled", true},
		{"unknown Go error", onPath(errors.New("runtime error: index out of range [3] with length 2")), "INTERNAL_SERVER_ERROR", "", "", "internal error", true},
		{"parse error", parseErr, "GRAPHQL_PARSE_FAILED", "", "", "Expected Name, found <EOF>", false},
		{"gqlgen's request error", gqlerror.Errorf("provided APQ hash does not match query"), "BAD_REQUEST", "", "", "provided APQ hash does not match query", false},
		{"the HTTP layer's limit", &gqlerror.Error{Message: "the query is too long", Extensions: map[string]any{"code": "LIMIT_EXCEEDED", "reason": "query_length"}}, "LIMIT_EXCEEDED", "", "query_length", "the query is too long", false},
		{"limit", gqlerror.WrapIfUnwrapped(apierror.Limit("depth", "too deep")), "LIMIT_EXCEEDED", "", "depth", "too deep", false},
		{"denied", onPath(apierror.Denied(apierror.Forbidden, "you may read only your own dashboard")), "FORBIDDEN", "", "", "you may read only your own dashboard", false},
		{"a request error with its cause", (&apierror.Error{Code: apierror.LimitExceeded, Reason: "query_length", Message: "the query is too long"}).GraphQL(), "LIMIT_EXCEEDED", "", "query_length", "the query is too long", false},
		{"budget", down(downstream.KindBudget, downstream.Orders), "UPSTREAM_TIMEOUT", "orders", "field_budget", "orders service did not answer within the field's budget", true},
		{"gqlgen's own field error", &gqlerror.Error{Message: "must not be null", Path: path}, "INTERNAL_SERVER_ERROR", "", "", "internal error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			ctx := requestid.NewContext(context.Background(), "req-9")
			got := apierror.Presenter(logger)(ctx, tt.err)
			if got.Extensions["code"] != tt.code || strOf(got.Extensions["service"]) != tt.service || strOf(got.Extensions["reason"]) != tt.reason {
				t.Errorf("extensions %v; want code %s service %q reason %q", got.Extensions, tt.code, tt.service, tt.reason)
			}
			if tt.message != "" && got.Message != tt.message {
				t.Errorf("message %q; want %q", got.Message, tt.message)
			}
			if strings.Contains(got.Message, "10.0.0.7") || strings.Contains(got.Message, "json") || strings.Contains(got.Message, "runtime") {
				t.Errorf("message %q leaks internals", got.Message)
			}
			if tt.err.(*gqlerror.Error).Path != nil && got.Path.String() != path.String() {
				t.Errorf("path %v; want %v", got.Path, path)
			}
			if logged := strings.Contains(logs.String(), `"request_id":"req-9"`); logged != tt.logged {
				t.Errorf("logged %v; want %v: %s", logged, tt.logged, logs.String())
			}
		})
	}
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	ctx := requestid.NewContext(context.Background(), "req-p")
	err := apierror.Recover(logger)(ctx, "boom at /src/secret.go:12")
	got := apierror.Presenter(logger)(ctx, gqlerror.WrapPath(ast.Path{ast.PathName("dashboard")}, err))
	if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("presented panic %+v; want internal error", got)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("want exactly one log line, got %s", logs.String())
	}
	if line["request_id"] != "req-p" || !strings.Contains(strOf(line["panic"]), "boom") || !strings.Contains(strOf(line["stack"]), "goroutine") {
		t.Errorf("log %v; want the panic, its stack and the request id", line)
	}
}
