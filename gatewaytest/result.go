package gatewaytest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Response is a GraphQL response as a client decodes it.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Error is one entry of a GraphQL response's errors.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code (UPSTREAM_ERROR, ...), or "".
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Service is the error's extensions.service, or "".
func (e Error) Service() string { s, _ := e.Extensions["service"].(string); return s }

// PathString is the error's path joined with dots: "dashboard.orders.0".
func (e Error) PathString() string {
	parts := make([]string, len(e.Path))
	for i, p := range e.Path {
		b, _ := json.Marshal(p)
		parts[i] = strings.Trim(string(b), `"`)
	}
	return strings.Join(parts, ".")
}

// Result is one HTTP exchange.
type Result struct {
	Status  int           // the HTTP status code
	Header  http.Header   // the response's header
	Body    []byte        // the whole response body
	Elapsed time.Duration // from sending the request to the body's end
	GQL     Response      // the decoded body of a JSON answer from /query; else zero
}

// ErrorsByPath indexes a response's errors by their path.
func (r Result) ErrorsByPath() map[string]Error {
	m := map[string]Error{}
	for _, e := range r.GQL.Errors {
		m[e.PathString()] = e
	}
	return m
}

// Decode unmarshals raw JSON into v, failing the test when it does not
// decode.
func Decode(tb testing.TB, raw []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("decode %s: %v", raw, err)
	}
}
