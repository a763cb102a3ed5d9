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

// The command's default of Options.APQRegisterLimit
// (-apq-register-limit, -apq-register-window): a client's first visit
// registers its operations (tens) at once, then few.
const (
	DefaultAPQRegisterRequests = 30
	DefaultAPQRegisterWindow   = time.Minute
)

// RateCounter counts requests across replicas (sharedstore.Store's GCRA).
type RateCounter interface {
	// Allow reports whether one more request under key is within limit
	// per window; on an error the replica counts for itself.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
}

// rateLimiter counts requests per key and answers a request over its
// key's limit with 429, Retry-After and a GraphQL-shaped RATE_LIMITED
// error. A request for which key says false is not counted. It is the one
// place that knows how requests are counted: by shared (nil: none), across
// replicas; in memory, per replica, by httprate's sliding window, without
// shared or when it fails.
func rateLimiter(rl RateLimit, key func(*http.Request) (string, bool), shared RateCounter) func(http.Handler) http.Handler {
	if rl.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	window := cmp.Or(rl.Window, DefaultRateWindow)
	retryAfter := strconv.Itoa(int(max(1, math.Ceil(window.Seconds())))) // whole seconds, at least 1
	limited := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", retryAfter)
		apierror.WriteHTTP(w, http.StatusTooManyRequests, apierror.RateLimited, "too many requests; retry after "+retryAfter+"s")
	}
	limiter := httprate.NewRateLimiter(rl.Requests, window, httprate.WithLimitHandler(limited))
	// allow answers a request over its limit and reports whether it may go on.
	allow := func(w http.ResponseWriter, r *http.Request, k string) bool {
		if shared != nil {
			if ok, err := shared.Allow(r.Context(), k, rl.Requests, window); err == nil {
				if !ok {
					limited(w, r)
				}
				return ok
			} // failed (logged and counted by the store): this replica counts
		}
		return !limiter.RespondOnLimit(w, r, k)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k, ok := key(r); ok && !allow(w, r, k) {
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
