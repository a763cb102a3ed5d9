package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/sharedstore"
)

// newShared connects to the configured Redis; nil without -redis-url. A
// Redis that does not answer at start is logged, not fatal: the gateway
// runs without it (per replica) until it answers.
func newShared(ctx context.Context, cfg config.Config, deps Deps, logger *slog.Logger) (*sharedstore.Store, error) {
	if cfg.Redis.URL == "" {
		return nil, nil
	}
	opts := sharedstore.Options{URL: cfg.Redis.URL, Password: cfg.Redis.Password, SentinelPassword: cfg.Redis.SentinelPassword,
		Timeout: cfg.Redis.Timeout, Logger: logger}
	if deps.Registry != nil {
		opts.Registry = deps.Registry
	}
	s, err := sharedstore.New(opts)
	if err != nil {
		return nil, fmt.Errorf("-redis-url (REDIS_URL), -redis-password-file, -redis-sentinel-password-file: %w", err)
	}
	if err := s.Ping(ctx); err != nil {
		logger.Warn("redis did not answer at start: persisted queries and rate limits stay per replica until it does", "err", err)
	} else {
		logger.Info("redis shares persisted queries and rate limits across replicas")
	}
	return s, nil
}
