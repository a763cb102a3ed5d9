package observability

import (
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/acme/dashboard-gateway/requestid"
)

// Middleware watches the GraphQL routes: it puts a Record in each request's
// context, adds the Server-Timing header (time spent on each downstream
// service, and in all) when the response starts, and when the request is
// done counts it in the metrics and writes its access log line: method,
// route, operation, status, duration, request id and the response's
// errors by code. No query, variables or response data are logged.
func Middleware(m *Metrics, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, rec := NewContext(r.Context())
			sw := &timingWriter{ResponseWriter: w, rec: rec}
			next.ServeHTTP(sw, r.WithContext(ctx))
			if sw.status == 0 { // the handler wrote nothing: net/http would send 200 without the header
				sw.WriteHeader(http.StatusOK)
			}

			elapsed := time.Since(rec.Start)
			op, started, codes := rec.outcome()
			status := sw.status
			if m != nil {
				m.observeRequest(op, started, status, elapsed)
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route(r)),
				slog.String("operation", logName(op, started)),
				slog.Int("status", status),
				slog.Float64("duration_ms", ms(elapsed)),
				slog.String("request_id", requestid.FromContext(ctx)),
			}
			if len(codes) > 0 {
				byCode := make([]any, 0, len(codes))
				for _, code := range slices.Sorted(maps.Keys(codes)) {
					byCode = append(byCode, slog.Int(code, codes[code]))
				}
				attrs = append(attrs, slog.Group("errors", byCode...))
			}
			logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
		})
	}
}

// logName is the operation's name in the access log: as in the metrics,
// "anonymous" for an operation without a name and "none" for a request
// that never reached one; a name itself as sent (the log is not bounded
// by labels).
func logName(op string, started bool) string {
	switch {
	case !started:
		return "none"
	case op == "":
		return "anonymous"
	}
	return op
}

// route returns the route pattern (never the raw path: it may hold ids).
func route(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return rc.RoutePattern()
	}
	return "unmatched"
}

// timingWriter adds the Server-Timing header just before the response
// starts, when the downstream calls that count are done.
type timingWriter struct {
	http.ResponseWriter
	rec    *Record
	status int
}

func (w *timingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.Header().Set("Server-Timing", serverTiming(w.rec))
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *timingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *timingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serverTiming formats the header: one entry per service, in a fixed
// order, one per service that served a stale answer, then total, e.g.
// `orders;dur=4.1, profile;dur=12.3, stale-orders;dur=0;desc="age 1234ms", total;dur=20.1`.
func serverTiming(rec *Record) string {
	b := make([]byte, 0, 192)
	for _, s := range rec.serviceTimes() {
		b = append(b, s.service...)
		b = append(b, ";dur="...)
		b = strconv.AppendFloat(b, ms(s.d), 'f', 1, 64)
		b = append(b, ", "...)
	}
	b = appendStaleTiming(b, rec.Stale())
	b = append(b, "total;dur="...)
	b = strconv.AppendFloat(b, ms(time.Since(rec.Start)), 'f', 1, 64)
	return string(b)
}
