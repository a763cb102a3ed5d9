package gateway

import (
	"cmp"
	"log/slog"
	"net/http"
	"time"
)

// ServerConfig are the HTTP server's protections against slow or abusive
// clients. Zero fields take their defaults.
type ServerConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers (slow-loris
	// clients). Default 5s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Default 10s.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its response; the request deadline bounds the work, this a slow
	// reader. Default: the request deadline plus 5s.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request. Default 120s.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers; more is a 431.
	// Default 64 KiB.
	MaxHeaderBytes int
}

// Defaults of ServerConfig.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// NewServer returns the http.Server for h, configured by c; deadline is the
// request deadline (for the default write timeout) and logger gets the
// server's own errors.
func NewServer(h http.Handler, c ServerConfig, deadline time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cmp.Or(c.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       cmp.Or(c.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      cmp.Or(c.WriteTimeout, deadline+5*time.Second),
		IdleTimeout:       cmp.Or(c.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    cmp.Or(c.MaxHeaderBytes, DefaultMaxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// AdminWriteTimeout bounds writing an admin response: long enough for a
// CPU profile or execution trace of up to a minute and more
// (/debug/pprof/profile?seconds=60).
const AdminWriteTimeout = 2 * time.Minute

// NewAdminServer returns the http.Server of the operators' handler (Admin):
// the public server's header and idle protections, and a write timeout
// that lets profiles run (AdminWriteTimeout).
func NewAdminServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      AdminWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
