// Package apierror is the client-facing error contract of
// ../shared/contract/errors.md: the codes, the safe messages, and the one
// presenter that turns any error raised while serving a GraphQL request into
// them while logging the real cause with the request id.
//
// Nothing outside this package decides what a client reads about a failure.
// It does not classify downstream failures (package downstream does) and it
// does not enforce the deadline (package deadline does).
package apierror

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Code is the value of extensions.code.
type Code string

// The codes of the contract, and the ones this gateway adds (documented in the README).
const (
	NotFound         Code = "NOT_FOUND"
	UpstreamError    Code = "UPSTREAM_ERROR"
	UpstreamTimeout  Code = "UPSTREAM_TIMEOUT"
	DeadlineExceeded Code = "DEADLINE_EXCEEDED"
	CircuitOpen      Code = "CIRCUIT_OPEN"
	BadUserInput     Code = "BAD_USER_INPUT"
	Unauthenticated  Code = "UNAUTHENTICATED"
	Forbidden        Code = "FORBIDDEN"

	// Added: the request itself is not a GraphQL request we can read (bad
	// JSON body, bad header, wrong method or media type).
	BadRequest Code = "BAD_REQUEST"
	// Added: a bug in the gateway, e.g. a panic; the log has the details.
	Internal Code = "INTERNAL_SERVER_ERROR"
	// Added: the client went away before the field resolved; only logs see it.
	Cancelled Code = "CANCELLED"
	// Added: the request exceeds a limit (extensions.reason says which, as
	// package limits names them, e.g. query_length, tokens, fields, depth,
	// cost); no downstream call was made.
	LimitExceeded Code = "LIMIT_EXCEEDED"
	// Added: too many requests from this client; retry after Retry-After.
	RateLimited Code = "RATE_LIMITED"
	// Added: trusted-documents mode refused an operation not in its manifest.
	DocumentNotTrusted Code = "DOCUMENT_NOT_TRUSTED"
	// Added: the gateway is past its capacity and sheds requests at once
	// (503); retry after Retry-After (Retry-After-Ms: milliseconds).
	Overloaded Code = "OVERLOADED"
)

// The codes gqlparser and gqlgen put on request errors; their messages are
// about the client's document and safe to pass on.
const (
	parseFailed      = "GRAPHQL_PARSE_FAILED"
	validationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// InputError is a client mistake in an argument. Its message is written for
// the client and is shown as is, with code BAD_USER_INPUT.
type InputError struct {
	Message string
}

// Error implements error.
func (e *InputError) Error() string { return e.Message }

// BadInput returns an *InputError with a formatted message.
func BadInput(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}

// DeniedError is a request authentication or authorization refused; Code
// is Unauthenticated or Forbidden.
type DeniedError struct {
	Code    Code
	Message string
}

// Error implements error.
func (e *DeniedError) Error() string { return e.Message }

// Denied returns a *DeniedError.
func Denied(code Code, message string) error {
	return &DeniedError{Code: code, Message: message}
}

// LimitError is a request over one of the gateway's limits. Its message is
// written for the client; Limit names the limit (the extensions.reason).
type LimitError struct {
	Limit   string
	Message string
}

// Error implements error.
func (e *LimitError) Error() string { return e.Message }

// errorBody is a GraphQL response with only errors.
type errorBody struct {
	Errors []bodyError `json:"errors"`
}

type bodyError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// WriteHTTP answers a request that never reached the GraphQL executor (bad
// header, body too large, unknown route) with a GraphQL-shaped error body.
func WriteHTTP(w http.ResponseWriter, status int, code Code, message string) {
	WriteBody(w, status, Body(code, message))
}

// Body returns the GraphQL-shaped body of one error, for answers written
// often enough to be worth encoding once (WriteBody).
func Body(code Code, message string) []byte {
	b, _ := json.Marshal(errorBody{Errors: []bodyError{{
		Message:    message,
		Extensions: map[string]any{"code": string(code)},
	}}})
	return append(b, '\n')
}

// WriteBody answers with a body from Body.
func WriteBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Status is the HTTP status of a request that failed as a whole with code,
// where the transport answers with one (the REST view; request errors of
// GraphQL over HTTP follow that specification instead): 400 for the
// client's mistakes, 401, 403, 429, 504 when the deadline passed before any
// work, 503 otherwise.
func Status(code Code) int {
	switch code {
	case BadUserInput, BadRequest, LimitExceeded, DocumentNotTrusted:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case RateLimited:
		return http.StatusTooManyRequests
	case DeadlineExceeded:
		return http.StatusGatewayTimeout
	case Internal:
		return http.StatusInternalServerError
	}
	return http.StatusServiceUnavailable
}
