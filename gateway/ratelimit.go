package gateway

import (
	"cmp"
	"context"
	"net/http"
	"net/netip"
	"time"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/ratelimit"
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
	// Take decides one more request under key against limit per window;
	// on an error the replica counts for itself.
	Take(ctx context.Context, key string, limit int, window time.Duration) (ratelimit.Decision, error)
}

// limiter decides requests against one RateLimit: by shared (nil: none),
// across replicas, or in memory, per replica, without shared or when it
// fails. Both count alike (GCRA, package ratelimit), so a client sees the
// same decisions and headers either way.
type limiter struct {
	requests int
	window   time.Duration
	shared   RateCounter
	local    ratelimit.Local
}

func newLimiter(rl RateLimit, shared RateCounter) *limiter {
	return &limiter{requests: rl.Requests, window: cmp.Or(rl.Window, DefaultRateWindow), shared: shared}
}

// take decides one request under key.
func (l *limiter) take(ctx context.Context, key string) ratelimit.Decision {
	if l.shared != nil {
		if d, err := l.shared.Take(ctx, key, l.requests, l.window); err == nil {
			return d
		} // failed (logged and counted by the store): this replica counts
	}
	return l.local.Take(key, l.requests, l.window)
}

// rateLimiter counts requests per key and answers a request over its
// key's limit with 429, a GraphQL-shaped RATE_LIMITED error and
// Retry-After at the limiter's next admission; every request counted gets
// the X-RateLimit-* headers. A request for which key says false is not
// counted. It is the one place that knows how requests are limited.
func rateLimiter(rl RateLimit, key func(*http.Request) (string, bool), shared RateCounter) func(http.Handler) http.Handler {
	if rl.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	l := newLimiter(rl, shared)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k, ok := key(r)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			d := l.take(r.Context(), k)
			d.SetHeaders(w.Header())
			if !d.Allowed {
				observability.ClaimOperation(r)
				apierror.WriteHTTP(w, http.StatusTooManyRequests, apierror.RateLimited,
					"too many requests; retry after "+w.Header().Get("Retry-After")+"s")
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
