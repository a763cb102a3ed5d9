package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/contract"
)

// Invalidator drops every cached downstream answer of a user: those
// served to them and those about them (cache.Cache).
type Invalidator interface {
	Invalidate(ctx context.Context, user string) error
}

// invalidate serves POST /admin/cache/invalidate?user=<id>: the user's
// cached answers are gone once it answers 200 {"invalidated":"<id>"}. The
// id is a user id or a token subject (contract.ValidSubject); anything
// else is 400. A store that fails is 503, and logged.
func invalidate(c Invalidator, logger *slog.Logger) http.HandlerFunc {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		if !contract.ValidSubject(user) {
			apierror.WriteHTTP(w, http.StatusBadRequest, apierror.BadRequest,
				"user must be a user id or token subject: 1 to 256 visible ASCII characters")
			return
		}
		if err := c.Invalidate(r.Context(), user); err != nil {
			logger.LogAttrs(r.Context(), slog.LevelError, "cache invalidation failed", slog.Any("error", err))
			apierror.WriteHTTP(w, http.StatusServiceUnavailable, apierror.Internal, "the cache could not be reached")
			return
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "cache invalidated", slog.String("user", user))
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, "{\"invalidated\":%q}\n", user)
	}
}
