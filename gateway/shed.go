package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/overload"
)

// shed is the middleware that admits the GraphQL requests (/query,
// /dashboard/...) under l's limit, each as its client's (its address:
// authentication comes later, and is work), and answers the rest at once,
// before any work but the headers every answer carries (request id, security headers,
// CORS, so that a browser may read them; no access log line:
// gateway_shed_total counts them), with 503, Retry-After (whole seconds, as
// HTTP has it), Retry-After-Ms (the time the limit takes to adapt), and one
// OVERLOADED error.
func shed(l *overload.Limiter) func(http.Handler) http.Handler {
	retryMs := strconv.FormatInt(l.RetryAfter().Milliseconds(), 10)
	body := apierror.Body(&apierror.Error{Code: apierror.Overloaded, Message: "the gateway is over capacity; retry after " + retryMs + " ms"})
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/query" && !strings.HasPrefix(r.URL.Path, "/dashboard/") {
				next.ServeHTTP(w, r)
				return
			}
			client := addressOf(r.Context())
			if !l.Acquire(client) {
				h := w.Header()
				h.Set("Retry-After", "1")
				h.Set("Retry-After-Ms", retryMs)
				apierror.Write(w, http.StatusServiceUnavailable, apierror.MediaJSON, body)
				return
			}
			defer l.Release(client)
			next.ServeHTTP(w, r)
		})
	}
}
