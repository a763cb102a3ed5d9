package gateway

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/requestid"
)

// recoverer turns a panic outside the executor (whose own recover handles
// resolvers) into a clean 500 and a log line with the stack.
func recoverer(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic in handler",
					"request_id", requestid.FromContext(r.Context()),
					"panic", p, "stack", string(debug.Stack()))
				apierror.WriteHTTP(w, http.StatusInternalServerError, apierror.Internal, "internal error")
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody reads a request body of at most limit bytes up front, so a body
// that is too large gets a clean 413 before any GraphQL work, and a body that
// cannot be read gets a clean 400 rather than gqlgen's message with Go error
// text in it.
func limitBody(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > limit {
				apierror.WriteHTTP(w, http.StatusRequestEntityTooLarge, apierror.BadRequest, "request body too large")
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			if err != nil {
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					apierror.WriteHTTP(w, http.StatusRequestEntityTooLarge, apierror.BadRequest, "request body too large")
					return
				}
				apierror.WriteHTTP(w, http.StatusBadRequest, apierror.BadRequest, "request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}
