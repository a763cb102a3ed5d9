package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/documents"
)

// edge is what guards the gateway's edge, set up from the configuration.
type edge struct {
	Trusted      documents.Manifest
	Authenticate func(http.Handler) http.Handler
	ClientAddr   *clientaddr.Resolver
}

// newEdge sets up where client addresses come from, loads the
// trusted-documents manifest and sets up authentication, as configured.
func newEdge(ctx context.Context, cfg config.Config, logger *slog.Logger) (edge, error) {
	var e edge
	var err error
	if e.ClientAddr, err = clientaddr.New(cfg.TrustedProxies, cfg.ClientIPHeader); err != nil {
		return e, fmt.Errorf("-client-ip-header (CLIENT_IP_HEADER), -trusted-proxies (TRUSTED_PROXIES): %w", err)
	}
	if cfg.RateLimit.Requests > 0 && cfg.ClientIPHeader == "" {
		logger.Info("the per-address rate limit counts connection addresses: behind a load balancer every client shares its budget; set -trusted-proxies and -client-ip-header")
	}
	if cfg.TrustedDocuments != "" {
		if e.Trusted, err = loadManifest(cfg.TrustedDocuments); err != nil {
			return e, err
		}
		logger.Info("trusted documents: only the manifest's operations run", "documents", len(e.Trusted))
	}
	if !cfg.Auth.On() {
		logger.Warn("authentication is off: anyone can read any user's dashboard; set -auth-secret or -auth-jwks-url in production")
		return e, nil
	}
	v, err := auth.New(ctx, auth.Config{
		Secret:     []byte(cfg.Auth.Secret),
		JWKSURL:    cfg.Auth.JWKSURL,
		Issuer:     cfg.Auth.Issuer,
		Audience:   cfg.Auth.Audience,
		AdminScope: cfg.Auth.AdminScope,
		Logger:     logger,
	})
	if err != nil {
		return e, fmt.Errorf("authentication (-auth-*): %w", err)
	}
	e.Authenticate = v.Middleware
	return e, nil
}

// loadManifest reads the trusted-documents manifest at path.
func loadManifest(path string) (documents.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-trusted-documents (TRUSTED_DOCUMENTS): %w", err)
	}
	defer f.Close()
	m, err := documents.LoadManifest(f)
	if err != nil {
		return nil, fmt.Errorf("-trusted-documents (TRUSTED_DOCUMENTS) %s: %w", path, err)
	}
	return m, nil
}
