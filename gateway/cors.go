package gateway

import (
	"net/http"

	"github.com/go-chi/cors"
)

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
