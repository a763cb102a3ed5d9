package gateway

import (
	"context"
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
// server's read timeout. A body it answers without reading whole is
// abandoned (abandonBody): the answer goes out at once and the connection
// closes after it.
func limitBody(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > limit {
				abandonBody(w)
				apierror.WriteHTTP(w, http.StatusRequestEntityTooLarge, apierror.BadRequest, "request body too large")
				return
			}
			body, err := readBody(w, r, limit)
			if err != nil {
				abandonBody(w)
				switch _, tooLarge := errors.AsType[*http.MaxBytesError](err); {
				case tooLarge:
					apierror.WriteHTTP(w, http.StatusRequestEntityTooLarge, apierror.BadRequest, "request body too large")
				case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(r.Context().Err(), context.DeadlineExceeded):
					// Any failed read cancels the request's context (net/http
					// does, for the connection): only the deadline's own
					// errors say the body was too slow.
					late := apierror.FromContext(context.DeadlineExceeded) // the contract's "slow upload" error
					late.HTTPStatus = http.StatusOK
					apierror.WriteError(w, late)
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
// request's. Once the body is read whole it lifts the deadline: left in
// place, it would end the server's background read of an idle connection
// and cancel the request while it is still being served. A body that was
// not read whole keeps it (abandonBody then moves it into the past).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, err error) {
	rc := http.NewResponseController(w)
	if dl, ok := r.Context().Deadline(); ok && rc.SetReadDeadline(dl) == nil {
		defer func() {
			if err == nil {
				_ = rc.SetReadDeadline(time.Time{})
			}
		}()
	}
	return graphqlhttp.ReadBody(http.MaxBytesReader(w, r.Body, limit), r.ContentLength) // limitBody refused more than limit
}

// abandonBody makes sure that nothing waits on the rest of a request body
// once the handler answers without reading it whole (it stalled, trickled
// past the deadline, broke off or is too large), whatever the server's
// timeouts. It must be called before the answer is written.
//
// net/http reads an unread body twice more on its own, to keep the
// connection for the next request: before writing the answer's header it
// reads and discards up to 256 KiB, and when the handler has returned it
// closes the body, which reads up to 256 KiB again. Both reads have only the
// connection's read deadline, which readBody had lifted before (a stalled
// client then held its connection and goroutine for good, and never got
// the answer written for it). So:
//
//   - a read deadline in the past: both reads fail at once instead of
//     waiting for bytes that may never come, and a failed discard makes
//     net/http close the connection after the answer;
//   - "Connection: close" on the answer: net/http then skips the discard
//     before the answer altogether, so the answer goes out first even
//     where the deadline cannot be set (a ResponseWriter without Unwrap),
//     and the connection closes after it.
//
// Closing the body in the handler would not do: that is the second read.
// Nor would full-duplex mode: it skips only the first.
func abandonBody(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Unix(1, 0)) // long ago, as net/http's own aLongTimeAgo
}
