package downstream

import (
	"context"
	"errors"
	"fmt"
)

// Kind classifies why a downstream call failed. Callers branch on it to pick
// the client-facing error code; the wrapped cause is for logs only.
type Kind int

// The ways a downstream call can fail.
const (
	// KindNotFound: the service says the user or item does not exist.
	KindNotFound Kind = iota + 1
	// KindBadStatus: the service answered with a status the contract does not allow.
	KindBadStatus
	// KindConnection: the call failed in transport: refused, reset, closed early.
	KindConnection
	// KindInvalidResponse: the body is not the JSON the contract describes.
	KindInvalidResponse
	// KindTooLarge: the body is larger than the configured cap.
	KindTooLarge
	// KindDeadline: the request-wide deadline passed before the service answered.
	KindDeadline
	// KindCanceled: the caller gave up (the client went away) before the service answered.
	KindCanceled
)

var kindNames = map[Kind]string{
	KindNotFound:        "not found",
	KindBadStatus:       "bad status",
	KindConnection:      "connection failed",
	KindInvalidResponse: "invalid response",
	KindTooLarge:        "response too large",
	KindDeadline:        "deadline exceeded",
	KindCanceled:        "canceled",
}

// String returns a short lower-case name of the kind.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the one error type of failed downstream calls. Its text is for
// logs: it may hold URLs and Go error text, so it never goes to a client.
type Error struct {
	Service Service // which service failed
	Op      string  // what was asked, e.g. "get orders"
	Kind    Kind    // why it failed
	Status  int     // the HTTP status, when the service answered
	Err     error   // the underlying cause, if any
}

// Error implements error.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %s: %s", e.Service, e.Op, e.Kind)
	if e.Status != 0 {
		msg += fmt.Sprintf(" (status %d)", e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ContextError returns the error of a call to service abandoned because ctx
// ended: KindDeadline when its deadline passed, KindCanceled otherwise. Use
// it wherever a wait for a service ends early, so every such error reads the same.
func ContextError(ctx context.Context, service Service, op string) *Error {
	kind := KindCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = KindDeadline
	}
	return &Error{Service: service, Op: op, Kind: kind, Err: context.Cause(ctx)}
}
