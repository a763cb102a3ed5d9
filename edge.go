package main

import (
	"context"
	_ "embed" // the schema's source
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/gateway"
)

// schemaSDL is the public schema, served at GET /schema.graphqls when
// introspection is on.
//
//go:embed schema.graphqls
var schemaSDL []byte

// edge holds the gateway options that guard its edge.
type edge struct {
	Trusted      documents.Manifest
	Authenticate func(http.Handler) http.Handler
	ClientAddr   *clientaddr.Resolver
}

// edgeOptions sets up where client addresses come from, loads the
// trusted-documents manifest and sets up authentication, as configured.
func edgeOptions(ctx context.Context, cfg config, logger *slog.Logger) (edge, error) {
	var e edge
	var err error
	if e.ClientAddr, err = clientaddr.New(cfg.TrustedProxies, cfg.ClientIPHeader); err != nil {
		return e, fmt.Errorf("-client-ip-header (CLIENT_IP_HEADER), -trusted-proxies (TRUSTED_PROXIES): %w", err)
	}
	if cfg.RateLimit.Requests > 0 && cfg.ClientIPHeader == "" {
		logger.Info("the per-address rate limit counts connection addresses: behind a load balancer every client shares its budget; set -trusted-proxies and -client-ip-header")
	}
	if cfg.TrustedDocuments != "" {
		var f *os.File
		f, err = os.Open(cfg.TrustedDocuments)
		if err != nil {
			return e, fmt.Errorf("-trusted-documents (TRUSTED_DOCUMENTS): %w", err)
		}
		e.Trusted, err = documents.LoadManifest(f)
		f.Close()
		if err != nil {
			return e, fmt.Errorf("-trusted-documents (TRUSTED_DOCUMENTS) %s: %w", cfg.TrustedDocuments, err)
		}
		logger.Info("trusted documents: only the manifest's operations run", "documents", len(e.Trusted))
	}
	if cfg.Auth.Secret == "" && cfg.Auth.JWKSURL == "" {
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

// apply sets the edge options of the gateway from cfg and e.
func (e edge) apply(o *gateway.Options, cfg config) {
	o.Trusted = e.Trusted
	o.Authenticate = e.Authenticate
	o.Limits = cfg.Limits
	o.MaxCost = cfg.MaxCost
	o.MaxQueryBytes = cfg.MaxQueryBytes
	o.APQCacheSize = cfg.APQCacheSize
	if cfg.APQCacheSize == 0 {
		o.APQCacheSize = -1 // off
	}
	o.ClientAddr = e.ClientAddr
	o.RateLimit = cfg.RateLimit
	o.SubjectRateLimit = cfg.SubjectRateLimit
	o.CORSOrigins = cfg.CORSOrigins
	o.SDL = schemaSDL
}
