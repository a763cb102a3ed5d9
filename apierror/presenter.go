package apierror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/requestid"
)

// errPanic is what a recovered panic becomes; Recover has logged it already.
var errPanic = errors.New("panic while resolving")

// Presenter returns the gqlgen error presenter. Every error of a GraphQL
// response passes through it: it builds a fresh error with a safe message and
// extensions.code (and extensions.service for downstream failures), and logs
// the real cause with the request id and the field's path.
func Presenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := &gqlerror.Error{Extensions: map[string]any{}}
		cause := err
		if gqlErr, ok := errors.AsType[*gqlerror.Error](err); ok {
			out.Path, out.Locations = gqlErr.Path, gqlErr.Locations
			cause = gqlErr.Err
			if cause == nil {
				presentOwn(ctx, logger, gqlErr, out)
				return out
			}
		}
		presentCause(ctx, logger, cause, out)
		return out
	}
}

// presentOwn handles errors that gqlgen or gqlparser made themselves, with no
// Go error inside: request errors (parse and validation errors, persisted
// query lookups, complexity) speak about the client's request in fixed
// words and pass as they are; an error on a field is a bug or a broken
// contract and is rewritten.
func presentOwn(ctx context.Context, logger *slog.Logger, e *gqlerror.Error, out *gqlerror.Error) {
	code, _ := e.Extensions["code"].(string)
	if len(e.Path) == 0 || code == parseFailed || code == validationFailed {
		switch code {
		case "":
			code = string(BadRequest)
		case string(LimitExceeded): // the HTTP layer's (query_length)
			if reason, ok := e.Extensions["reason"].(string); ok {
				out.Extensions["reason"] = reason
			}
		}
		out.Message = e.Message
		out.Extensions["code"] = code
		return
	}
	// E.g. a null in a non-null field.
	out.Message = "internal error"
	out.Extensions["code"] = string(Internal)
	logFailure(ctx, logger, slog.LevelError, out, e)
}

func presentCause(ctx context.Context, logger *slog.Logger, cause error, out *gqlerror.Error) {
	var input *InputError
	var denied *DeniedError
	var limit *LimitError
	var down *downstream.Error
	switch {
	case errors.As(cause, &input):
		out.Message = input.Message
		out.Extensions["code"] = string(BadUserInput)
	case errors.As(cause, &denied):
		out.Message = denied.Message
		out.Extensions["code"] = string(denied.Code)
	case errors.As(cause, &limit):
		out.Message = limit.Message
		out.Extensions["code"] = string(LimitExceeded)
		out.Extensions["reason"] = limit.Limit
	case errors.As(cause, &down):
		code, reason, msg := downstreamCode(down)
		out.Message = msg
		out.Extensions["code"] = string(code)
		out.Extensions["service"] = string(down.Service)
		if reason != "" {
			out.Extensions["reason"] = reason
		}
		level := slog.LevelWarn
		switch code {
		case NotFound:
			level = slog.LevelDebug
		case Cancelled:
			level = slog.LevelInfo
		}
		logFailure(ctx, logger, level, out, cause,
			slog.Int("attempts", down.Report.Attempts),
			slog.Bool("hedged", down.Report.Hedged),
			slog.Bool("shared", down.Report.Shared))
	case errors.Is(cause, errPanic):
		out.Message = "internal error"
		out.Extensions["code"] = string(Internal)
	default:
		out.Message = "internal error"
		out.Extensions["code"] = string(Internal)
		logFailure(ctx, logger, slog.LevelError, out, cause)
	}
}

// downstreamCode maps a downstream failure to its code, reason and message.
// A reason the resilience layers gave (e.g. retry_budget_exhausted) wins
// over the one the failure's kind implies.
func downstreamCode(e *downstream.Error) (code Code, reason, message string) {
	code, reason, message = kindCode(e)
	if e.Report.Reason != "" {
		reason = e.Report.Reason
	}
	return code, reason, message
}

func kindCode(e *downstream.Error) (code Code, reason, message string) {
	svc := string(e.Service)
	switch e.Kind {
	case downstream.KindNotFound:
		what := "user"
		if e.Service == downstream.Catalog {
			what = "product"
		}
		return NotFound, "", what + " not found"
	case downstream.KindDeadline:
		return DeadlineExceeded, "", svc + " service did not answer before the request deadline"
	case downstream.KindCanceled:
		return Cancelled, "", "the request was cancelled"
	case downstream.KindTimeout:
		return UpstreamTimeout, "", svc + " service timed out"
	case downstream.KindBudget:
		return UpstreamTimeout, "field_budget", svc + " service did not answer within the field's budget"
	case downstream.KindCircuitOpen:
		return CircuitOpen, "", svc + " service is failing; calls to it are paused"
	case downstream.KindShed:
		return UpstreamError, "bulkhead_full", svc + " service has too many calls in flight"
	case downstream.KindBadStatus:
		return UpstreamError, "bad_status", svc + " service unavailable"
	case downstream.KindConnection:
		return UpstreamError, "connection_failed", svc + " service unavailable"
	case downstream.KindInvalidRequest:
		return BadUserInput, "invalid_argument", "the request has an argument the " + svc + " service cannot take"
	case downstream.KindTooLarge:
		return UpstreamError, "response_too_large", svc + " service sent an invalid response"
	default: // KindInvalidResponse and anything new
		return UpstreamError, "invalid_response", svc + " service sent an invalid response"
	}
}

func logFailure(ctx context.Context, logger *slog.Logger, level slog.Level, out *gqlerror.Error, cause error, extra ...slog.Attr) {
	if !logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestid.FromContext(ctx)),
		slog.Any("code", out.Extensions["code"]),
		slog.String("error", cause.Error()),
	}
	if len(out.Path) > 0 {
		attrs = append(attrs, slog.String("path", pathString(out.Path)))
	}
	if svc, ok := out.Extensions["service"]; ok {
		attrs = append(attrs, slog.Any("service", svc))
	}
	if reason, ok := out.Extensions["reason"]; ok {
		attrs = append(attrs, slog.Any("reason", reason))
	}
	attrs = append(attrs, extra...)
	logger.LogAttrs(ctx, level, "field failed", attrs...)
}

func pathString(p ast.Path) string {
	var b strings.Builder
	for i, el := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, el)
	}
	return b.String()
}

// Recover returns the gqlgen recover function: a panic in a resolver becomes
// an internal error on that field (the rest of the response is unaffected),
// and the log gets the panic value and stack with the request id.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		attrs := []slog.Attr{
			slog.String("request_id", requestid.FromContext(ctx)),
			slog.String("panic", fmt.Sprint(p)),
			slog.String("stack", string(debug.Stack())),
		}
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			attrs = append(attrs, slog.String("path", pathString(fc.Path())))
		}
		logger.LogAttrs(ctx, slog.LevelError, "panic while resolving", attrs...)
		return errPanic
	}
}

// DeadlineBeforeStart is the error of a request whose deadline passed before
// its operation could start (e.g. a slow upload), so no field ran at all.
func DeadlineBeforeStart() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "the request deadline passed before the operation started",
		Extensions: map[string]any{"code": string(DeadlineExceeded)},
	}
}
