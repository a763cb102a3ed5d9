package gateway

import (
	"cmp"
	"context"
	"net/http"

	"github.com/go-chi/httprate"
)

// apqAdmit returns documents.APQ's Admit for rl, nil when rl is off: each
// client (Client) may register rl.Requests queries per rl.Window, counted
// by shared (nil: none) across replicas, or in memory, per replica,
// without shared or when it fails, as requests are (rateLimiter).
func apqAdmit(rl RateLimit, shared RateCounter) func(context.Context) bool {
	if rl.Requests <= 0 {
		return nil
	}
	window := cmp.Or(rl.Window, DefaultRateWindow)
	local := httprate.NewRateLimiter(rl.Requests, window)
	return func(ctx context.Context) bool {
		k := "apq:" + Client(ctx)
		if shared != nil {
			if ok, err := shared.Allow(ctx, k, rl.Requests, window); err == nil {
				return ok
			} // failed (logged and counted by the store): this replica counts
		}
		// httprate counts requests: it reads only the request's context
		// and sets headers, which nobody sends here.
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", http.NoBody)
		if err != nil {
			return false
		}
		return !local.OnLimit(discardHeaders{}, r, k)
	}
}

// discardHeaders is a ResponseWriter whose headers go nowhere.
type discardHeaders struct{}

func (discardHeaders) Header() http.Header         { return http.Header{} }
func (discardHeaders) Write(b []byte) (int, error) { return len(b), nil }
func (discardHeaders) WriteHeader(int)             {}
