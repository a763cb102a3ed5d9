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
// the real cause with the request id and the field's path. Past the cap of
// an ErrorLimit it drops the error (nil), before building or logging it.
func Presenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if !admit(ctx) {
			return nil
		}
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
	if len(e.Path) == 0 || code == string(ParseFailed) || code == string(ValidationFailed) {
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
	if clientErr, ok := errors.AsType[*Error](cause); ok {
		present(out, clientErr)
		return
	}
	if down, ok := errors.AsType[*downstream.Error](cause); ok {
		clientErr := Downstream(down)
		present(out, clientErr)
		out.Extensions["service"] = string(down.Service)
		level := slog.LevelWarn
		switch clientErr.Code {
		case NotFound:
			level = slog.LevelDebug
		case Cancelled:
			level = slog.LevelInfo
		}
		logFailure(ctx, logger, level, out, cause,
			slog.Int("attempts", down.Report.Attempts),
			slog.Bool("hedged", down.Report.Hedged),
			slog.Bool("shared", down.Report.Shared))
		return
	}
	out.Message = "internal error"
	out.Extensions["code"] = string(Internal)
	if !errors.Is(cause, errPanic) { // Recover logged it already
		logFailure(ctx, logger, slog.LevelError, out, cause)
	}
}

// Classify returns the client error err is presented as: its code,
// reason and message (an error of no known kind is INTERNAL).
func Classify(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if down, ok := errors.AsType[*downstream.Error](err); ok {
		return Downstream(down)
	}
	return &Error{Code: Internal, Message: "internal error"}
}

// present puts a client error's message, code and reason on out.
func present(out *gqlerror.Error, e *Error) {
	out.Message = e.Message
	out.Extensions["code"] = string(e.Code)
	if e.Reason != "" {
		out.Extensions["reason"] = e.Reason
	}
}

// logFailure writes a failed field's line, with its cause: the first of
// its kind (code, service, reason) in an answer; the others of that kind
// are counted, and the answer's last line says how many (ErrorLimit).
// A service down fails every field it backs: one line per answer says it.
func logFailure(ctx context.Context, logger *slog.Logger, level slog.Level, out *gqlerror.Error, cause error, extra ...slog.Attr) {
	if !logger.Enabled(ctx, level) {
		return
	}
	if repeated(ctx, out) {
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
