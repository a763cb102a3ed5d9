package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/cors"
)

// corsAllowedHeaders are the request headers browsers may send: the API's
// own, Apollo Client's client-awareness and CSRF-prevention headers, and
// the W3C trace context and baggage that browser tracing adds.
var corsAllowedHeaders = []string{
	"Accept", "Authorization", "Content-Type", "X-Request-Id", "X-Timeout-Ms",
	"apollographql-client-name", "apollographql-client-version", "apollo-require-preflight", "X-Apollo-Operation-Name",
	"traceparent", "tracestate", "baggage",
}

// corsExposedHeaders are the response headers scripts may read: timings,
// the request id to quote in a bug report, and how long to back off (the
// rate limiter's X-RateLimit-* and Retry-After; the shedder's
// Retry-After-Ms).
var corsExposedHeaders = []string{
	"Server-Timing", "X-Request-Id",
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
	"Retry-After", "Retry-After-Ms",
}

// corsFor lets browsers on origins ("*": any), and on loopback origins when
// localhost is set, call the API and read its Server-Timing. A preflight
// it refuses is logged at debug level with the reason (the browser only
// says the call was blocked).
func corsFor(origins []string, localhost bool, logger *slog.Logger) func(http.Handler) http.Handler {
	anyOrigin := slices.Contains(origins, "*")
	exact := make(map[string]bool, len(origins))
	for _, o := range origins {
		exact[strings.ToLower(o)] = true
	}
	c := cors.New(cors.Options{
		AllowOriginFunc: func(_ *http.Request, origin string) bool {
			return anyOrigin || exact[strings.ToLower(origin)] || localhost && loopbackOrigin(origin)
		},
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: corsAllowedHeaders,
		ExposedHeaders: corsExposedHeaders,
		MaxAge:         600,
	})
	c.Log = refusals{logger}
	return func(next http.Handler) http.Handler {
		timing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if origin := w.Header().Get("Access-Control-Allow-Origin"); origin != "" {
				w.Header().Set("Timing-Allow-Origin", origin)
			}
			next.ServeHTTP(w, r)
		})
		return c.Handler(timing)
	}
}

// refusals logs the CORS handler's reasons for refusing a preflight (an
// origin, method or header not allowed) at debug level, and none of its
// other notes.
type refusals struct{ logger *slog.Logger }

// Printf implements cors.Logger.
func (l refusals) Printf(format string, args ...any) {
	if l.logger == nil || !strings.HasPrefix(format, "Preflight aborted") || !l.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	l.logger.Debug("CORS preflight refused", "reason", fmt.Sprintf(strings.TrimPrefix(format, "Preflight aborted: "), args...))
}

// loopbackOrigin reports whether origin is a page served from this
// machine: http(s)://localhost, 127.0.0.1 or [::1], on any port.
func loopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// CheckOrigin reports what is wrong with a CORS origin setting, or nil:
// "*", or scheme://host[:port] with scheme http or https and nothing after
// the host and port (no path, trailing slash, query or fragment), as
// browsers send it in the Origin header; anything else would never match.
func CheckOrigin(origin string) error {
	if origin == "*" {
		return nil
	}
	u, err := url.Parse(origin)
	switch {
	case err != nil || u.Opaque != "":
		return errors.New("want scheme://host[:port], e.g. https://app.example.com or http://localhost:5173")
	case u.Scheme == "":
		return errors.New("no scheme: want scheme://host[:port], e.g. https://app.example.com")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q: want http or https, e.g. https://app.example.com", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return errors.New("no host: want scheme://host[:port], e.g. https://app.example.com")
	case u.User != nil:
		return errors.New("user info: want scheme://host[:port] only")
	case u.Path != "" || u.RawPath != "":
		return errors.New("a path (a trailing slash too): browsers send only scheme://host[:port]")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(origin, "?#"):
		return errors.New("a query or fragment: browsers send only scheme://host[:port]")
	case strings.Contains(u.Hostname(), "*"):
		return errors.New(`wildcards are not supported: list each origin, or "*" for any`)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: want 1..65535", p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return errors.New("an empty port: drop the colon or give a port")
	}
	return nil
}
