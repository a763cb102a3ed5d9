package gateway

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/graphqlhttp"
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
// text in it. The body is read under the request's deadline: a client that
// stalls or trickles gets DEADLINE_EXCEEDED at the deadline, not at the
// server's read timeout.
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
			body, err := readBody(w, r, limit)
			if err != nil {
				switch _, tooLarge := errors.AsType[*http.MaxBytesError](err); {
				case tooLarge:
					apierror.WriteHTTP(w, http.StatusRequestEntityTooLarge, apierror.BadRequest, "request body too large")
				case r.Context().Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
					apierror.WriteHTTP(w, http.StatusOK, apierror.DeadlineExceeded, "the request deadline passed before its body arrived")
				default:
					apierror.WriteHTTP(w, http.StatusBadRequest, apierror.BadRequest, "request body could not be read")
				}
				return
			}
			r.Body = graphqlhttp.Buffered(body) // the handler reads it without a copy
			r.ContentLength = int64(len(body))  // what is read next is known, if it was sent chunked
			next.ServeHTTP(w, r)
		})
	}
}

// readBody reads the body with the connection's read deadline set to the
// request's, and lifts it afterwards: left in place, it would end the
// server's background read of an idle connection and cancel the request
// while it is still being served.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if dl, ok := r.Context().Deadline(); ok {
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(dl) == nil {
			defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
		}
	}
	return graphqlhttp.ReadBody(http.MaxBytesReader(w, r.Body, limit), r.ContentLength) // limitBody refused more than limit
}
