package apierror

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error is the one client error: a failure whose message is written for
// the client and shown as it is. Everything that refuses a request or an
// argument before or around execution returns one (package limits,
// documents, graphqlhttp, authorization); the presenter shows it on the
// field or request it failed, and Write answers with it alone.
type Error struct {
	// Code is extensions.code.
	Code Code
	// Reason is extensions.reason, a short machine-readable detail (e.g.
	// the limit a LIMIT_EXCEEDED names); empty means none.
	Reason string
	// Message is what the client reads.
	Message string
	// HTTPStatus is the status of a response that carries only this error;
	// zero means the transport's default: Status(Code) for the gateway's
	// own answers, the GraphQL-over-HTTP specification's on /query.
	HTTPStatus int
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadInput returns a BAD_USER_INPUT *Error with a formatted message.
func BadInput(format string, args ...any) error {
	return Errorf(BadUserInput, format, args...)
}

// Denied returns an *Error for a refused authentication or authorization;
// code is Unauthenticated or Forbidden.
func Denied(code Code, message string) error {
	return &Error{Code: code, Message: message}
}

// Limit returns a LIMIT_EXCEEDED *Error; reason names the limit.
func Limit(reason, format string, args ...any) error {
	return &Error{Code: LimitExceeded, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// GraphQL returns e as a request error of a GraphQL response (no path),
// with e as its cause, for the executor's extensions to return.
func (e *Error) GraphQL() *gqlerror.Error {
	ext := map[string]any{"code": string(e.Code)}
	if e.Reason != "" {
		ext["reason"] = e.Reason
	}
	return &gqlerror.Error{Err: e, Message: e.Message, Extensions: ext}
}
