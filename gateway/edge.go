package gateway

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/cors"
	"github.com/go-chi/httprate"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
)

// RateLimit limits each client's GraphQL requests.
type RateLimit struct {
	// Requests per Window per client; zero turns the limit off.
	Requests int
	Window   time.Duration // default 1s
	// ClientIPHeader names a header a trusted proxy sets to the client's
	// address (e.g. X-Forwarded-For, first address); empty means the
	// connection's remote address.
	ClientIPHeader string
}

// rateLimit limits requests per client: the token's subject when
// authenticated, else the client's address. Over the limit: 429 with
// Retry-After and a GraphQL-shaped RATE_LIMITED error.
func rateLimit(rl RateLimit) func(http.Handler) http.Handler {
	window := rl.Window
	if window <= 0 {
		window = time.Second
	}
	return httprate.LimitBy(rl.Requests, window, func(r *http.Request) (string, error) {
		if id, ok := auth.FromContext(r.Context()); ok {
			return "sub:" + id.Subject, nil
		}
		return "ip:" + clientIP(r, rl.ClientIPHeader), nil
	}, httprate.WithLimitHandler(func(w http.ResponseWriter, _ *http.Request) {
		apierror.WriteHTTP(w, http.StatusTooManyRequests, apierror.RateLimited,
			fmt.Sprintf("too many requests; retry after %s", w.Header().Get("Retry-After")+"s"))
	}))
}

// clientIP returns the client's address: from header (first entry) when
// set and present, else the connection's remote address.
func clientIP(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Get(header); v != "" {
			first, _, _ := strings.Cut(v, ",")
			return httprate.CanonicalizeIP(strings.TrimSpace(first))
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host)
}

// corsFor lets browsers on origins call the API, and see its Server-Timing.
func corsFor(origins []string) func(http.Handler) http.Handler {
	c := cors.Handler(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Accept", "Authorization", "Content-Type", "X-Request-Id", "X-Timeout-Ms", "traceparent", "tracestate"},
		ExposedHeaders: []string{"X-Request-Id", "Server-Timing", "Retry-After"},
		MaxAge:         600,
	})
	return func(next http.Handler) http.Handler {
		timing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if origin := w.Header().Get("Access-Control-Allow-Origin"); origin != "" {
				w.Header().Set("Timing-Allow-Origin", origin)
			}
			next.ServeHTTP(w, r)
		})
		return c(timing)
	}
}
