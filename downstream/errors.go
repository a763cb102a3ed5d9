package downstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/acme/dashboard-gateway/resilience"
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
	// KindTimeout: the service's own per-attempt timeout passed before the
	// request deadline did.
	KindTimeout
	// KindCircuitOpen: the service's breaker is open; no call was made.
	KindCircuitOpen
	// KindShed: too many calls to the service were in flight (bulkhead);
	// no call was made.
	KindShed
	// KindBudget: the field gave up waiting when its own budget passed (an
	// optional field; see package budget).
	KindBudget
	// KindInvalidRequest: the gateway refused to make the call at all: an id
	// not of the contract's format, more ids than a batch takes, or a caller
	// subject that cannot travel in a header. No request was sent.
	KindInvalidRequest
)

var kindNames = map[Kind]string{
	KindNotFound:        "not found",
	KindBadStatus:       "bad status",
	KindConnection:      "connection failed",
	KindInvalidResponse: "invalid response",
	KindTooLarge:        "response too large",
	KindDeadline:        "deadline exceeded",
	KindCanceled:        "canceled",
	KindTimeout:         "timeout",
	KindCircuitOpen:     "circuit open",
	KindShed:            "shed",
	KindBudget:          "field budget passed",
	KindInvalidRequest:  "invalid request",
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

	// RetryAfter is what the service's Retry-After header asked for.
	RetryAfter time.Duration
	// Report says what the resilience layers did for the call.
	Report resilience.Report
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
// ended: KindTimeout when the attempt's own timeout ended it, KindDeadline
// when the request's deadline passed, KindCanceled otherwise. Use it wherever
// a wait for a service ends early, so every such error reads the same.
func ContextError(ctx context.Context, service Service, op string) *Error {
	cause := context.Cause(ctx)
	kind := KindCanceled
	switch {
	case errors.Is(cause, resilience.ErrAttemptTimeout):
		kind = KindTimeout
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		kind = KindDeadline
	}
	return &Error{Service: service, Op: op, Kind: kind, Err: cause}
}

// classify tells the resilience layers what an attempt's error means: which
// failures are worth a retry (connection failures, 502, 503, 504, attempt
// timeouts) and which count against the breaker (those, other 5xx, broken
// answers). 404 and other 4xx mean the service is answering; our own
// cancellations say nothing about it.
func classify(err error) resilience.Outcome {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return resilience.Outcome{Failure: true}
	}
	switch e.Kind {
	case KindConnection, KindTimeout:
		return resilience.Outcome{Retry: true, Failure: true}
	case KindBadStatus:
		switch {
		case e.Status == 502 || e.Status == 503 || e.Status == 504:
			return resilience.Outcome{Retry: true, Failure: true, RetryAfter: e.RetryAfter}
		case e.Status >= 500:
			return resilience.Outcome{Failure: true}
		}
		return resilience.Outcome{}
	case KindInvalidResponse, KindTooLarge:
		return resilience.Outcome{Failure: true}
	case KindDeadline, KindCanceled, KindBudget, KindInvalidRequest:
		return resilience.Outcome{Ignore: true}
	}
	return resilience.Outcome{}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
