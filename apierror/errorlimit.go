package apierror

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/requestid"
)

// DefaultMaxErrors is ErrorLimit.Max's default.
const DefaultMaxErrors = 100

// ErrorLimit is the gqlgen extension that caps the errors of an answer:
// the first Max errors presented go out, the presenter drops the others
// before it builds them or logs their cause, and the response they would
// have been in gets one TOO_MANY_ERRORS error instead, saying how many it
// dropped (one log line, at warning level, says so too). The cap is the
// whole answer's: the responses of an incremental answer share it, each
// later one that dropped errors carrying its own TOO_MANY_ERRORS; merged
// into one answer (FoldTruncated), they make one.
//
// Both executors report their errors through the presenter and their
// responses through the response interceptors, so the cap is the same
// for both. Errors of a request that did not execute (validation) do not
// pass through them: CapErrors bounds those alike.
type ErrorLimit struct {
	// Max is the most errors an answer holds besides TOO_MANY_ERRORS.
	// Zero means DefaultMaxErrors.
	Max int
	// Logger hears of each response that dropped errors. Nil: none.
	Logger *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = ErrorLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (ErrorLimit) ExtensionName() string { return "ErrorLimit" }

// Validate implements graphql.HandlerExtension.
func (ErrorLimit) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor: the
// operation's errors count against one budget.
func (l ErrorLimit) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	b := &errorBudget{max: int64(l.Max)}
	if b.max <= 0 {
		b.max = DefaultMaxErrors
	}
	return next(context.WithValue(ctx, budgetKey{}, b))
}

// InterceptResponse implements graphql.ResponseInterceptor: a response
// during which errors were dropped gets the error that counts them.
func (l ErrorLimit) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	b, ok := ctx.Value(budgetKey{}).(*errorBudget)
	if resp == nil || !ok {
		return resp
	}
	b.mu.Lock()
	quiet := b.repeated
	b.repeated = 0
	b.mu.Unlock()
	if quiet > 0 && l.Logger != nil {
		l.Logger.LogAttrs(ctx, slog.LevelWarn, "more fields failed like those logged",
			slog.String("request_id", requestid.FromContext(ctx)), slog.Int("fields", quiet))
	}
	if n := b.dropped.Swap(0); n > 0 {
		resp.Errors = append(resp.Errors, truncated(n, b.max))
		if l.Logger != nil {
			l.Logger.LogAttrs(ctx, slog.LevelWarn, "errors dropped from the answer",
				slog.String("request_id", requestid.FromContext(ctx)),
				slog.Int64("dropped", n), slog.Int64("max_errors", b.max))
		}
	}
	return resp
}

// budgetKey carries an operation's *errorBudget in its context.
type budgetKey struct{}

// errorBudget counts the errors of one answer, and the kinds of failure
// already logged for it.
type errorBudget struct {
	max     int64
	used    atomic.Int64 // errors presented, or dropped
	dropped atomic.Int64 // dropped and not yet counted in a response

	mu       sync.Mutex
	logged   map[string]int // failures of each kind logged or left out of the log
	repeated int            // left out, not yet said
}

// repeated reports whether a failure of out's kind (code, service, reason)
// was logged already for the answer of ctx, counting it if so. Without an
// ErrorLimit, none was.
func repeated(ctx context.Context, out *gqlerror.Error) bool {
	b, ok := ctx.Value(budgetKey{}).(*errorBudget)
	if !ok {
		return false
	}
	kind := fmt.Sprint(out.Extensions["code"], "|", out.Extensions["service"], "|", out.Extensions["reason"])
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.logged == nil {
		b.logged = map[string]int{}
	}
	b.logged[kind]++
	if b.logged[kind] == 1 {
		return false
	}
	b.repeated++
	return true
}

// admit reports whether one more error of the answer of ctx goes out,
// counting it as dropped if not. Without an ErrorLimit, every one does.
func admit(ctx context.Context) bool {
	b, ok := ctx.Value(budgetKey{}).(*errorBudget)
	if !ok || b.used.Add(1) <= b.max {
		return true
	}
	b.dropped.Add(1)
	return false
}

// ErrorsLeft reports whether the answer of ctx may still hold errors: an
// executor can skip building an error (its path, its message) that would
// be dropped, calling Drop instead.
func ErrorsLeft(ctx context.Context) bool {
	b, ok := ctx.Value(budgetKey{}).(*errorBudget)
	return !ok || b.used.Load() < b.max
}

// Drop counts an error of the answer of ctx that its executor did not
// build, having seen that ErrorsLeft is false.
func Drop(ctx context.Context) {
	if b, ok := ctx.Value(budgetKey{}).(*errorBudget); ok {
		b.used.Add(1)
		b.dropped.Add(1)
	}
}

// CapErrors returns errs with at most max errors (zero: DefaultMaxErrors)
// and, when it had more, one TOO_MANY_ERRORS counting the others: the cap
// of ErrorLimit for errors built all at once, such as a document's
// validation errors.
func CapErrors(errs gqlerror.List, max int) gqlerror.List {
	if max <= 0 {
		max = DefaultMaxErrors
	}
	if len(errs) <= max {
		return errs
	}
	return append(errs[:max:max], truncated(int64(len(errs)-max), int64(max)))
}

// truncated is the TOO_MANY_ERRORS error of n errors dropped, max kept.
func truncated(n, max int64) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors were left out: an answer holds at most %d", n, max),
		Extensions: map[string]any{"code": string(TooManyErrors), "dropped": n, "max": max},
	}
}

// FoldTruncated returns errs with its TOO_MANY_ERRORS errors (those of
// the responses of an incremental answer merged into one) made one, last,
// counting them all.
func FoldTruncated(errs gqlerror.List) gqlerror.List {
	var n, max int64
	found := 0
	out := errs[:0]
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); code == string(TooManyErrors) {
			d, _ := e.Extensions["dropped"].(int64)
			m, _ := e.Extensions["max"].(int64)
			n, max, found = n+d, m, found+1
			continue
		}
		out = append(out, e)
	}
	if found == 0 {
		return errs
	}
	return append(out, truncated(n, max))
}
