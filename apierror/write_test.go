package apierror_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// response is what a writer answered.
type response struct {
	status      int
	contentType string
	body        string
}

func record(write func(http.ResponseWriter)) response {
	rec := httptest.NewRecorder()
	write(rec)
	return response{rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()}
}

func TestWriters(t *testing.T) {
	withLocation := func() gqlerror.List {
		return gqlerror.List{{Message: "user not found", Path: ast.Path{ast.PathName("dashboard")}, Locations: []gqlerror.Location{{Line: 1, Column: 2}},
			Extensions: map[string]any{"code": "NOT_FOUND", "service": "profile"}}}
	}
	tests := []struct {
		name  string
		write func(http.ResponseWriter)
		want  response
	}{
		{"WriteHTTP", func(w http.ResponseWriter) {
			apierror.WriteHTTP(w, 413, apierror.BadRequest, "request body too large")
		}, response{413, "application/json", `{"errors":[{"message":"request body too large","extensions":{"code":"BAD_REQUEST"}}]}` + "\n"}},
		{"WriteError, the code's status", func(w http.ResponseWriter) {
			apierror.WriteError(w, &apierror.Error{Code: apierror.RateLimited, Message: "too many requests"})
		}, response{429, "application/json", `{"errors":[{"message":"too many requests","extensions":{"code":"RATE_LIMITED"}}]}` + "\n"}},
		{"WriteError with a reason", func(w http.ResponseWriter) {
			apierror.WriteError(w, &apierror.Error{Code: apierror.LimitExceeded, Reason: "depth", Message: "too <deep>", HTTPStatus: 200})
		}, response{200, "application/json", `{"errors":[{"message":"too \u003cdeep\u003e","extensions":{"code":"LIMIT_EXCEEDED","reason":"depth"}}]}` + "\n"}},
		{"Write of a Body", func(w http.ResponseWriter) {
			apierror.Write(w, 503, apierror.MediaJSON, apierror.Body(&apierror.Error{Code: apierror.Overloaded, Message: "over capacity"}))
		}, response{503, "application/json", `{"errors":[{"message":"over capacity","extensions":{"code":"OVERLOADED"}}]}` + "\n"}},
		{"WriteErrors", func(w http.ResponseWriter) {
			apierror.WriteErrors(w, 400, "application/graphql-response+json; charset=utf-8", withLocation(), map[string]any{"timing": 1})
		}, response{400, "application/graphql-response+json; charset=utf-8",
			`{"errors":[{"message":"user not found","path":["dashboard"],"locations":[{"line":1,"column":2}],"extensions":{"code":"NOT_FOUND","service":"profile"}}],"extensions":{"timing":1}}`}},
		{"WriteErrors that cannot be encoded", func(w http.ResponseWriter) {
			apierror.WriteErrors(w, 200, "application/json; charset=utf-8", gqlerror.List{{Message: "x", Extensions: map[string]any{"n": math.NaN()}}}, nil)
		}, response{500, "application/json; charset=utf-8", `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`}},
		{"WriteREST success", func(w http.ResponseWriter) {
			apierror.WriteREST(w, json.RawMessage(`{"userId":"u1"}`), nil, nil)
		}, response{200, "application/json", `{"status":"success","data":{"userId":"u1"},"errors":[]}` + "\n"}},
		{"WriteREST partial success", func(w http.ResponseWriter) {
			apierror.WriteREST(w, json.RawMessage(`{"userId":"u1"}`), withLocation(), nil)
		}, response{200, "application/json", `{"status":"partial_success","data":{"userId":"u1"},"errors":[{"message":"user not found","path":["dashboard"],"extensions":{"code":"NOT_FOUND","service":"profile"}}]}` + "\n"}},
		{"WriteREST error", func(w http.ResponseWriter) {
			apierror.WriteREST(w, json.RawMessage("null"), gqlerror.List{{Message: "bad id", Extensions: map[string]any{"code": "BAD_USER_INPUT"}}}, nil)
		}, response{400, "application/json", `{"status":"error","data":null,"errors":[{"message":"bad id","extensions":{"code":"BAD_USER_INPUT"}}]}` + "\n"}},
		{"WriteREST with fields served stale", func(w http.ResponseWriter) {
			apierror.WriteREST(w, json.RawMessage(`{"userId":"u1"}`), nil, []map[string]any{{"path": []any{"dashboard", "orders"}, "service": "orders", "ageMs": 5}})
		}, response{200, "application/json", `{"status":"success","data":{"userId":"u1"},"errors":[],"stale":[{"ageMs":5,"path":["dashboard","orders"],"service":"orders"}]}` + "\n"}},
		{"WriteREST error without errors", func(w http.ResponseWriter) {
			apierror.WriteREST(w, nil, nil, nil)
		}, response{503, "application/json", `{"status":"error","data":null,"errors":[]}` + "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := record(tt.write)
			if got != tt.want {
				t.Errorf("got %d %q %s; want %d %q %s", got.status, got.contentType, got.body, tt.want.status, tt.want.contentType, tt.want.body)
			}
		})
	}
}

func TestWriteSetsNosniff(t *testing.T) {
	rec := httptest.NewRecorder()
	apierror.Write(rec, 200, apierror.MediaJSON, []byte("null"))
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q; want nosniff", got)
	}
}
