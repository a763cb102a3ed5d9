// Package apierror is the client-facing error contract of
// docs/contract.md (Error codes): every code a client can read, the one
// client error type (Error), the one table from a kind of failure to what a
// client reads about it, the one presenter that turns any error raised
// while serving a GraphQL request into them while logging the real cause
// with the request id, and the one writer of JSON error responses.
//
// Nothing outside this package decides what a client reads about a failure.
// It does not classify downstream failures (package downstream does) and it
// does not enforce the deadline (package deadline does).
package apierror

import "net/http"

// Code is the value of extensions.code.
type Code string

// The codes of the contract.
const (
	// NotFound: the downstream service says the user or item does not exist.
	NotFound Code = "NOT_FOUND"
	// UpstreamError: a downstream service answered with a bad status, could
	// not be reached, or sent a body that does not match its contract.
	UpstreamError Code = "UPSTREAM_ERROR"
	// UpstreamTimeout: the service's own timeout (or the field's budget)
	// passed before the request deadline did.
	UpstreamTimeout Code = "UPSTREAM_TIMEOUT"
	// DeadlineExceeded: the request-wide deadline passed.
	DeadlineExceeded Code = "DEADLINE_EXCEEDED"
	// CircuitOpen: the service is failing and calls to it are paused.
	CircuitOpen Code = "CIRCUIT_OPEN"
	// BadUserInput: an argument is invalid.
	BadUserInput Code = "BAD_USER_INPUT"
	// Unauthenticated: authentication is on and the request has no valid token.
	Unauthenticated Code = "UNAUTHENTICATED"
	// Forbidden: the token's subject may not read what the request asks for.
	Forbidden Code = "FORBIDDEN"
)

// The codes this gateway adds (documented in docs/contract.md, Error codes).
const (
	// BadRequest: the request itself is not a GraphQL request we can read
	// (bad JSON body, bad header, wrong method or media type, unknown route).
	BadRequest Code = "BAD_REQUEST"
	// Internal: a bug in the gateway, e.g. a panic; the log has the details.
	Internal Code = "INTERNAL_SERVER_ERROR"
	// Cancelled: the client went away before the field resolved; only logs see it.
	Cancelled Code = "CANCELLED"
	// LimitExceeded: the request exceeds a limit (extensions.reason says
	// which, as package limits names them, e.g. query_length, tokens,
	// fields, depth, cost); no downstream call was made.
	LimitExceeded Code = "LIMIT_EXCEEDED"
	// RateLimited: too many requests from this client; retry after Retry-After.
	RateLimited Code = "RATE_LIMITED"
	// Overloaded: the gateway is past its capacity and sheds requests at
	// once (503); retry after Retry-After (Retry-After-Ms: milliseconds).
	Overloaded Code = "OVERLOADED"
	// DocumentNotTrusted: trusted-documents mode refused an operation not
	// in its manifest.
	DocumentNotTrusted Code = "DOCUMENT_NOT_TRUSTED"
	// PersistedQueryNotFound: the request names a persisted document (APQ
	// hash or trusted document id) the server does not have; Apollo clients
	// react to it by sending the full query.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// PersistedQueryMismatch: the query sent is not the document its id names.
	PersistedQueryMismatch Code = "PERSISTED_QUERY_MISMATCH"
	// TooManyErrors: the answer met its cap on errors (ErrorLimit); this
	// one error stands for the ones left out, extensions.dropped says how
	// many.
	TooManyErrors Code = "TOO_MANY_ERRORS"
	// ResponseTooLarge: the answer is larger than the server sends; its
	// data is null (or, in an incremental answer, the parts from there on).
	ResponseTooLarge Code = "RESPONSE_TOO_LARGE"
)

// The codes gqlparser and gqlgen put on request errors; their messages are
// about the client's document and safe to pass on. The gateway's own
// document checks (e.g. introspection turned off) use them too.
const (
	// ParseFailed: the document is not valid GraphQL syntax.
	ParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// ValidationFailed: the document does not validate against the schema
	// (or asks for what this server does not serve).
	ValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
)

// Status is the HTTP status of a request that failed as a whole with code,
// where the transport answers with one (the REST view, the gateway's own
// refusals; request errors of GraphQL over HTTP follow that specification
// instead, but for 401 and 403): 400 for the client's mistakes, 401, 403,
// 429, 504 when the deadline passed before any work, 500 for a bug, 503
// otherwise.
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
