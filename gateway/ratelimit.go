package gateway

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/clientaddr"
)

// RateLimit is a number of requests per window.
type RateLimit struct {
	// Requests per Window per client; zero turns the limit off.
	Requests int
	// Window is the limit's sliding window. Zero means DefaultRateWindow
	// (1s).
	Window time.Duration
}

// DefaultRateWindow is RateLimit's default window.
const DefaultRateWindow = time.Second

// rateLimiter counts requests per key and answers a request over its
// key's limit with 429, Retry-After and a GraphQL-shaped RATE_LIMITED
// error. A request for which key says false is not counted. It is the one
// place that knows how requests are counted (in memory, per replica, by
// httprate's sliding window): a shared counter would be given here.
func rateLimiter(rl RateLimit, key func(*http.Request) (string, bool)) func(http.Handler) http.Handler {
	if rl.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	window := cmp.Or(rl.Window, DefaultRateWindow)
	retryAfter := strconv.Itoa(int(max(1, math.Ceil(window.Seconds())))) // whole seconds, at least 1
	limiter := httprate.NewRateLimiter(rl.Requests, window, httprate.WithLimitHandler(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		apierror.WriteHTTP(w, http.StatusTooManyRequests, apierror.RateLimited, "too many requests; retry after "+retryAfter+"s")
	}))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k, ok := key(r); ok && limiter.RespondOnLimit(w, r, k) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// addressKey keys a request on its client address (see addressOf).
func addressKey(r *http.Request) (string, bool) { return addressOf(r.Context()), true }

// subjectKey keys a request on its token's subject; requests without an
// identity (authentication off) are not counted.
func subjectKey(r *http.Request) (string, bool) {
	k := subjectOf(r.Context())
	return k, k != ""
}

// Client names the client a request comes from, for limits that are per
// client: "sub:" and its token's subject when authenticated, else "addr:"
// and its address (clientaddr): an IPv4 address, or the /64 of an IPv6 one,
// since one IPv6 client usually holds a whole /64.
func Client(ctx context.Context) string {
	if k := subjectOf(ctx); k != "" {
		return k
	}
	return addressOf(ctx)
}

func subjectOf(ctx context.Context) string {
	if id, ok := auth.FromContext(ctx); ok && id.Subject != "" {
		return "sub:" + id.Subject
	}
	return ""
}

// addressOf is the address key; requests without an address share one.
func addressOf(ctx context.Context) string {
	a, ok := clientaddr.FromContext(ctx)
	switch {
	case !ok:
		return "addr:unknown"
	case a.Is6():
		return "addr:" + netip.PrefixFrom(a, 64).Masked().String()
	}
	return "addr:" + a.String()
}
