package config

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/playground"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/simulator"
)

// validate reports every setting out of its range, by its flag and
// variable.
func (c Config) validate() error {
	var errs []error
	if c.Deadline < 10*time.Millisecond || c.Deadline > 5*time.Minute {
		errs = append(errs, fmt.Errorf("-deadline (DEADLINE) %v: want 10ms..5m", c.Deadline))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("-max-body-bytes (MAX_BODY_BYTES) %d: want at least 1024", c.MaxBodyBytes))
	}
	if c.ShutdownGrace <= c.Deadline {
		errs = append(errs, fmt.Errorf("-shutdown-grace (SHUTDOWN_GRACE) %v: want longer than -deadline (%v), so requests in flight can finish", c.ShutdownGrace, c.Deadline))
	}
	if c.OverloadTarget != 0 && (c.OverloadTarget < time.Millisecond || c.OverloadTarget > time.Second) {
		errs = append(errs, fmt.Errorf("-overload-target (OVERLOAD_TARGET) %v: want 0 (off) or 1ms..1s", c.OverloadTarget))
	}
	if c.ShutdownDelay < 0 || c.ShutdownDelay > time.Minute {
		errs = append(errs, fmt.Errorf("-shutdown-delay (SHUTDOWN_DELAY) %v: want 0..1m", c.ShutdownDelay))
	}
	if c.Introspection != "auto" && c.Introspection != "on" && c.Introspection != "off" {
		errs = append(errs, fmt.Errorf("-introspection (INTROSPECTION) %q: want auto, on or off", c.Introspection))
	}
	if c.PlaygroundAssets != "" && playground.IsLocal(c.PlaygroundAssets) {
		if _, err := playground.LocalAssets(c.PlaygroundAssets); err != nil {
			errs = append(errs, fmt.Errorf("-playground-assets (PLAYGROUND_ASSETS) %q: %w", c.PlaygroundAssets, err))
		}
	} else if c.PlaygroundAssets != "" {
		if err := playground.CheckAssets(c.PlaygroundAssets); err != nil {
			errs = append(errs, fmt.Errorf("-playground-assets (PLAYGROUND_ASSETS) %q: %w", c.PlaygroundAssets, err))
		}
	}
	l := c.Limits
	for name, v := range map[string]int{"max-depth": l.MaxDepth, "max-aliases": l.MaxAliases, "max-root-fields": l.MaxRootFields,
		"max-fields": l.MaxFields, "max-spreads": l.MaxSpreads, "max-selections": l.MaxSelections, "max-operations": l.MaxOperations,
		"max-fragments": l.MaxFragments, "max-variables": l.MaxVariables, "max-nodes": l.MaxNodes, "max-repeats": l.MaxRepeats, "max-deferred": l.MaxDeferred,
		"max-cost": c.MaxCost, "max-query-bytes": c.MaxQueryBytes, "max-errors": c.MaxErrors, "max-response-bytes": c.MaxResponseBytes, "max-header-bytes": c.Server.MaxHeaderBytes,
		"cache-max-bytes": c.CacheMaxBytes, "cache-max-entry-bytes": c.CacheMaxEntryBytes,
		"apq-cache-bytes": c.APQCacheBytes, "query-cache-bytes": c.QueryCacheBytes,
		"max-variables-bytes": c.Input.MaxVariablesBytes, "max-extensions-bytes": c.Input.MaxExtensionsBytes, "max-json-values": c.Input.MaxJSONValues} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("-%s (%s) %d: want at least 1", name, EnvName(name), v))
		}
	}
	if d := c.Input.MaxJSONDepth; d < 1 || d > graphqlhttp.MaxJSONDepthCeiling {
		errs = append(errs, fmt.Errorf("-max-json-depth (MAX_JSON_DEPTH) %d: want 1..%d", d, graphqlhttp.MaxJSONDepthCeiling))
	}
	errs = append(errs, c.checkSimulated())
	if c.APQCacheSize < 0 {
		errs = append(errs, fmt.Errorf("-apq-cache-size (APQ_CACHE_SIZE) %d: want 0 (off) or more", c.APQCacheSize))
	}
	for name, rl := range map[string]gateway.RateLimit{"rate": c.RateLimit, "subject-rate": c.SubjectRateLimit, "apq-register": c.APQRegisterLimit} {
		if rl.Requests < 0 {
			errs = append(errs, fmt.Errorf("-%s-limit (%s) %d: want 0 (off) or more", name, EnvName(name+"-limit"), rl.Requests))
		}
		if rl.Window <= 0 {
			errs = append(errs, fmt.Errorf("-%s-window (%s) %v: want more than 0", name, EnvName(name+"-window"), rl.Window))
		}
	}
	if c.SubjectRateLimit.Requests > 0 && c.Auth.Secret == "" && c.Auth.JWKSURL == "" {
		errs = append(errs, errors.New("-subject-rate-limit (SUBJECT_RATE_LIMIT) needs authentication (-auth-secret or -auth-jwks-url): without it there is no subject to count"))
	}
	if _, err := clientaddr.New(c.TrustedProxies, c.ClientIPHeader); err != nil {
		errs = append(errs, fmt.Errorf("-client-ip-header (CLIENT_IP_HEADER), -trusted-proxies (TRUSTED_PROXIES): %w", err))
	}
	if c.AdminAddr != "off" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			errs = append(errs, fmt.Errorf(`-admin-addr (ADMIN_ADDR) %q: want host:port, :port or "off"`, c.AdminAddr))
		} else if c.AdminAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
			errs = append(errs, fmt.Errorf("-admin-addr (ADMIN_ADDR) %q: want another address than -addr (ADDR): operator endpoints must not be public", c.AdminAddr))
		}
	}
	for _, h := range c.AdminHosts {
		if err := gateway.CheckAdminHost(h); err != nil {
			errs = append(errs, fmt.Errorf("-admin-hosts (ADMIN_HOSTS) %q: %w", h, err))
		}
	}
	if c.Redis.URL == "" && (c.Redis.PasswordFile != "" || c.Redis.SentinelPasswordFile != "") {
		errs = append(errs, errors.New("-redis-password-file, -redis-sentinel-password-file: need -redis-url (REDIS_URL)"))
	}
	if c.Auth.Secret != "" && c.Auth.JWKSURL != "" {
		errs = append(errs, errors.New("-auth-secret (AUTH_SECRET) and -auth-jwks-url (AUTH_JWKS_URL): set one, not both"))
	}
	for _, o := range c.CORSOrigins {
		if err := gateway.CheckOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("-cors-origins (CORS_ORIGINS) %q: %w", o, err))
		}
	}
	if _, ok := simulator.Preset(c.Simulation); !ok {
		errs = append(errs, fmt.Errorf("-simulation (SIMULATION) %q: want %s", c.Simulation, strings.Join(simulator.PresetNames(), ", ")))
	}
	if c.Redis.URL != "" {
		if _, err := sharedstore.ParseURL(c.Redis.URL); err != nil {
			errs = append(errs, fmt.Errorf("-redis-url (REDIS_URL): %w", err))
		}
	}
	if c.Redis.Timeout < time.Millisecond || c.Redis.Timeout > time.Second {
		errs = append(errs, fmt.Errorf("-redis-timeout (REDIS_TIMEOUT) %v: want 1ms..1s", c.Redis.Timeout))
	}
	if c.Redis.APQTTL < time.Second {
		errs = append(errs, fmt.Errorf("-redis-apq-ttl (REDIS_APQ_TTL) %v: want at least 1s", c.Redis.APQTTL))
	}
	if c.Redis.APQBudget < 1 {
		errs = append(errs, fmt.Errorf("-redis-apq-budget (REDIS_APQ_BUDGET) %d: want at least 1", c.Redis.APQBudget))
	}
	if c.LogRepeatInterval < 0 {
		errs = append(errs, fmt.Errorf("-log-repeat-interval (LOG_REPEAT_INTERVAL) %v: want 0 (off) or more", c.LogRepeatInterval))
	}
	if c.Redis.APQMaxBytes < 1 {
		errs = append(errs, fmt.Errorf("-redis-apq-max-bytes (REDIS_APQ_MAX_BYTES) %d: want at least 1", c.Redis.APQMaxBytes))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("-log-format (LOG_FORMAT) %q: want json or text", c.LogFormat))
	}
	return errors.Join(errs...)
}

// checkSimulated refuses a configuration that would simulate a service by
// accident: once any service has a URL, every other one needs a URL or a
// place in -simulate, and no service has both. A typo in one variable
// (ORDER_URL for ORDERS_URL) would otherwise serve fake orders in
// production, with development's defaults (introspection, GraphiQL,
// localhost CORS) on.
func (c Config) checkSimulated() error {
	if len(c.URLs) == 0 || c.SimulateAll {
		return nil // the README's `go run .`: everything simulated
	}
	var missing, both []downstream.Service
	for _, s := range downstream.Services() {
		on := slices.Contains(c.Simulate, s)
		switch {
		case c.URLs[s] == "" && !on:
			missing = append(missing, s)
		case c.URLs[s] != "" && on:
			both = append(both, s)
		}
	}
	var errs []error
	if len(missing) > 0 {
		vars := make([]string, len(missing))
		for i, s := range missing {
			vars[i] = EnvName(string(s) + "-url")
		}
		errs = append(errs, fmt.Errorf("services without a URL: %s; other services have one, so give theirs (%s, or the -<service>-url flags), or simulate them on purpose with -simulate=%s (SIMULATE)",
			serviceList(missing), strings.Join(vars, ", "), strings.ReplaceAll(serviceList(missing), " ", "")))
	}
	if len(both) > 0 {
		errs = append(errs, fmt.Errorf("-simulate (SIMULATE) names %s, which have a URL: drop one or the other", serviceList(both)))
	}
	return errors.Join(errs...)
}
