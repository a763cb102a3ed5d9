package apierror

import (
	"context"
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/downstream"
)

// failure is what a client reads about one kind of failure. In message,
// {service} stands for the service's name and {item} for what it holds
// ("user", or "product" for the catalog).
type failure struct {
	code    Code
	reason  string
	message string
}

// kinds is the one table from a kind of downstream failure to its code,
// reason and message. A kind it does not list reads as invalidResponse.
var kinds = map[downstream.Kind]failure{
	downstream.KindNotFound:        {NotFound, "", "{item} not found"},
	downstream.KindDeadline:        {DeadlineExceeded, "", "{service} service did not answer before the request deadline"},
	downstream.KindCanceled:        {Cancelled, "", "the request was cancelled"},
	downstream.KindTimeout:         {UpstreamTimeout, "", "{service} service timed out"},
	downstream.KindBudget:          {UpstreamTimeout, "field_budget", "{service} service did not answer within the field's budget"},
	downstream.KindCircuitOpen:     {CircuitOpen, "", "{service} service is failing; calls to it are paused"},
	downstream.KindShed:            {UpstreamError, "bulkhead_full", "{service} service has too many calls in flight"},
	downstream.KindBadStatus:       {UpstreamError, "bad_status", "{service} service unavailable"},
	downstream.KindConnection:      {UpstreamError, "connection_failed", "{service} service unavailable"},
	downstream.KindInvalidRequest:  {BadUserInput, "invalid_argument", "the request has an argument the {service} service cannot take"},
	downstream.KindTooLarge:        {UpstreamError, "response_too_large", "{service} service sent an invalid response"},
	downstream.KindInvalidResponse: invalidResponse,
}

var invalidResponse = failure{UpstreamError, "invalid_response", "{service} service sent an invalid response"}

// requestDeadline is the failure of a request whose deadline passed before
// its operation started (e.g. a slow upload), so no field ran at all; a
// request whose client went away reads as downstream.KindCanceled.
var requestDeadline = failure{DeadlineExceeded, "", "the request deadline passed before the operation started"}

// Downstream returns the client error of a downstream failure, from the
// table of kinds. A reason the resilience layers gave (e.g.
// retry_budget_exhausted) wins over the one the failure's kind implies.
func Downstream(e *downstream.Error) *Error {
	f, ok := kinds[e.Kind]
	if !ok {
		f = invalidResponse
	}
	item := "user"
	if e.Service == downstream.Catalog {
		item = "product"
	}
	msg := strings.ReplaceAll(f.message, "{service}", string(e.Service))
	out := &Error{Code: f.code, Reason: f.reason, Message: strings.ReplaceAll(msg, "{item}", item)}
	if e.Report.Reason != "" {
		out.Reason = e.Report.Reason
	}
	return out
}

// FromContext returns the client error of a request whose context ended
// (ctxErr is or wraps ctx.Err()) before its operation started, or nil when
// ctxErr is neither: DEADLINE_EXCEEDED for its deadline, CANCELLED for a
// client that went away.
func FromContext(ctxErr error) *Error {
	var f failure
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		f = requestDeadline
	case errors.Is(ctxErr, context.Canceled):
		f = kinds[downstream.KindCanceled]
	default:
		return nil
	}
	return &Error{Code: f.code, Reason: f.reason, Message: f.message}
}

// DeadlineBeforeStart is the error of a request whose deadline passed before
// its operation could start, so no field ran at all.
func DeadlineBeforeStart() *gqlerror.Error {
	return FromContext(context.DeadlineExceeded).GraphQL()
}
