package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/overload"
)

// config is every setting of the gateway. Each is a flag and an environment
// variable of the same name (upper case, - as _); a flag wins over the
// environment, which wins over the default.
type config struct {
	Addr          string
	Deadline      time.Duration
	MaxBodyBytes  int64
	ShutdownGrace time.Duration
	ShutdownDelay time.Duration
	// OverloadTarget is the scheduling latency past which the gateway sheds
	// requests (package overload); zero turns shedding off.
	OverloadTarget time.Duration
	FieldTiming    bool
	LogFormat      string
	LogLevel       slog.Level
	SimSeed        uint64
	// URLs holds the configured service base URLs; a service without one is
	// simulated in-process.
	URLs map[downstream.Service]string
	// Services holds every service's settings (h2c, resilience policy):
	// -policy for all, then -<service>-policy over it. URLs are filled in
	// when the simulator's are known.
	Services map[downstream.Service]downstream.ServiceConfig
	// Budgets are the optional Dashboard fields and their budgets.
	Budgets map[string]time.Duration

	// The edge: limits, persisted operations, introspection, auth, rate
	// limits, CORS and the HTTP server's timeouts.
	Introspection    string // auto, on or off
	Limits           limits.Limits
	MaxCost          int
	MaxQueryBytes    int
	APQCacheSize     int
	TrustedDocuments string // path of a manifest; empty: off
	Auth             authFlags
	RateLimit        gateway.RateLimit // per client address, before authentication
	SubjectRateLimit gateway.RateLimit // per token subject, after it
	ClientIPHeader   string
	TrustedProxies   []netip.Prefix
	CORSOrigins      []string
	Server           gateway.ServerConfig
	// AdminAddr is the operators' listener (metrics, pprof, probes);
	// "off" means none.
	AdminAddr string
}

// authFlags are the authentication settings; AuthSecret is a secret.
type authFlags struct {
	Secret, JWKSURL, Issuer, Audience, AdminScope string
}

// rawFlags are the flags read as strings and parsed after flag.Parse.
type rawFlags struct {
	urls, policies      map[downstream.Service]*string
	basePolicy, budgets *string
}

// defineFlags defines every setting on fs, storing into cfg.
func defineFlags(fs *flag.FlagSet, cfg *config) *rawFlags {
	fs.StringVar(&cfg.Addr, "addr", ":8080", "listen address")
	fs.DurationVar(&cfg.Deadline, "deadline", gateway.DefaultDeadline, "request-wide deadline; a client's X-Timeout-Ms can only shorten it")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", gateway.DefaultMaxBodyBytes, "largest request body accepted, in bytes")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may take to finish on shutdown; longer than -deadline")
	fs.DurationVar(&cfg.OverloadTarget, "overload-target", overload.DefaultTarget, "how long goroutines may wait to run (p90) before the gateway counts as overloaded, lowers its concurrency limit and sheds requests with 503; 0 turns shedding off")
	fs.DurationVar(&cfg.ShutdownDelay, "shutdown-delay", 0, "on SIGTERM, how long to answer /readyz with 503 before closing the listener (for load balancers without a preStop hook)")
	fs.BoolVar(&cfg.FieldTiming, "field-timing", false, `let clients ask for per-field timings in the response's extensions ({"extensions":{"timing":true}})`)
	fs.StringVar(&cfg.LogFormat, "log-format", "json", "log format: json or text")
	fs.TextVar(&cfg.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.Uint64Var(&cfg.SimSeed, "sim-seed", 1, "seed of the simulated services' random latency and faults")
	raw := &rawFlags{urls: map[downstream.Service]*string{}, policies: map[downstream.Service]*string{}}
	for _, s := range downstream.Services() {
		raw.urls[s] = fs.String(string(s)+"-url", "", fmt.Sprintf("base URL of the %s service; empty: simulated in-process", s))
		raw.policies[s] = fs.String(string(s)+"-policy", "", fmt.Sprintf("settings of calls to the %s service, over -policy (same keys)", s))
	}
	fs.StringVar(&cfg.Introspection, "introspection", "auto", "allow introspection and serve GET /schema.graphqls: on, off, or auto (on while any service is simulated)")
	fs.IntVar(&cfg.Limits.MaxDepth, "max-depth", limits.DefaultMaxDepth, "deepest selection nesting an operation may have")
	fs.IntVar(&cfg.Limits.MaxAliases, "max-aliases", limits.DefaultMaxAliases, "most aliases an operation may use")
	fs.IntVar(&cfg.Limits.MaxRootFields, "max-root-fields", limits.DefaultMaxRootFields, "most top-level fields an operation may ask for")
	fs.IntVar(&cfg.Limits.MaxFields, "max-fields", limits.DefaultMaxFields, "most fields an operation may ask for, fragments expanded")
	fs.IntVar(&cfg.Limits.MaxSpreads, "max-spreads", limits.DefaultMaxSpreads, "most fragment spreads and inline fragments an operation may enter, fragments expanded")
	fs.IntVar(&cfg.Limits.MaxSelections, "max-selections", limits.DefaultMaxSelections, "most selections (fields, spreads, inline fragments) a document may write")
	fs.IntVar(&cfg.Limits.MaxOperations, "max-operations", limits.DefaultMaxOperations, "most operations a document may define")
	fs.IntVar(&cfg.Limits.MaxFragments, "max-fragments", limits.DefaultMaxFragments, "most fragments a document may define or spread")
	fs.IntVar(&cfg.Limits.MaxVariables, "max-variables", limits.DefaultMaxVariables, "most variables an operation may define")
	fs.IntVar(&cfg.Limits.MaxNodes, "max-nodes", limits.DefaultMaxNodes, "most nodes a document may have with fragments expanded in every operation and fragment: what validation walks")
	fs.IntVar(&cfg.Limits.MaxRepeats, "max-repeats", limits.DefaultMaxRepeats, "most pairs of fields sharing a name at the same place (weighted by their arguments) a document may have")
	fs.IntVar(&cfg.MaxCost, "max-cost", gateway.DefaultMaxCost, "highest cost an operation may have (README: Limits)")
	fs.IntVar(&cfg.MaxQueryBytes, "max-query-bytes", gateway.DefaultMaxQueryBytes, "longest query text accepted, in bytes")
	fs.IntVar(&cfg.APQCacheSize, "apq-cache-size", gateway.DefaultAPQCacheSize, "queries remembered for Automatic Persisted Queries; 0 turns APQ off")
	fs.StringVar(&cfg.TrustedDocuments, "trusted-documents", "", "path of a persisted-documents manifest; when set, only its operations run")
	fs.StringVar(&cfg.Auth.Secret, "auth-secret", "", "HS256 secret of the JWT bearer tokens (32 bytes at least); turns authentication on")
	fs.StringVar(&cfg.Auth.JWKSURL, "auth-jwks-url", "", "URL of the JWKS with the RS256/ES256 keys of the bearer tokens; turns authentication on")
	fs.StringVar(&cfg.Auth.Issuer, "auth-issuer", "", "required iss claim of tokens, if set")
	fs.StringVar(&cfg.Auth.Audience, "auth-audience", "", "required aud claim of tokens, if set")
	fs.StringVar(&cfg.Auth.AdminScope, "auth-admin-scope", "dashboard:admin", "scope that lets a token read any user's dashboard")
	fs.IntVar(&cfg.RateLimit.Requests, "rate-limit", 0, "GraphQL requests per -rate-window per client address, counted before authentication; 0: off (README: Security)")
	fs.DurationVar(&cfg.RateLimit.Window, "rate-window", time.Second, "window of -rate-limit")
	fs.IntVar(&cfg.SubjectRateLimit.Requests, "subject-rate-limit", 0, "GraphQL requests per -subject-rate-window per token subject, counted after authentication; 0: off")
	fs.DurationVar(&cfg.SubjectRateLimit.Window, "subject-rate-window", time.Second, "window of -subject-rate-limit")
	fs.StringVar(&cfg.ClientIPHeader, "client-ip-header", "", "header the trusted proxies set to the client's address (e.g. X-Forwarded-For), read only on connections from -trusted-proxies; empty: the connection's address")
	fs.Func("trusted-proxies", "comma-separated CIDR prefixes (or addresses) of the proxies whose -client-ip-header is believed, e.g. the load balancer's subnet", func(v string) error {
		var err error
		cfg.TrustedProxies, err = clientaddr.ParsePrefixes(v)
		return err
	})
	fs.StringVar(&cfg.AdminAddr, "admin-addr", "127.0.0.1:9090", `listen address of the operators' endpoints (/metrics, /debug/pprof/, probes); never expose it publicly; "off": none`)
	fs.Func("cors-origins", "comma-separated origins browsers may call from (* for any); empty: same origin only", func(v string) error {
		cfg.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				cfg.CORSOrigins = append(cfg.CORSOrigins, o)
			}
		}
		return nil
	})
	fs.DurationVar(&cfg.Server.ReadHeaderTimeout, "read-header-timeout", gateway.DefaultReadHeaderTimeout, "time to read a request's headers (slow clients)")
	fs.DurationVar(&cfg.Server.ReadTimeout, "read-timeout", gateway.DefaultReadTimeout, "time to read a whole request")
	fs.DurationVar(&cfg.Server.WriteTimeout, "write-timeout", 0, "time to write a response; 0: -deadline plus 5s")
	fs.DurationVar(&cfg.Server.IdleTimeout, "idle-timeout", gateway.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fs.IntVar(&cfg.Server.MaxHeaderBytes, "max-header-bytes", gateway.DefaultMaxHeaderBytes, "largest request line and headers, in bytes")
	raw.basePolicy = fs.String("policy", "", `settings of calls to every service: comma-separated key=value, e.g. "timeout=800ms,attempts=3,hedge=p95,h2c=on" (README: Resilience)`)
	raw.budgets = fs.String("optional-fields", "none",
		`optional Dashboard fields and their budgets, e.g. "recommendations=300ms,notifications=300ms"; "none" (the default): every field waits for its data until the deadline`)
	return raw
}

// flagNames returns the name of every flag (the environment variables are
// the same in upper case).
func flagNames() []string {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	defineFlags(fs, &config{})
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// parseConfig reads the settings from args and getenv. Usage and errors go to
// out; -h returns flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	cfg := config{URLs: map[downstream.Service]string{}, Services: map[downstream.Service]downstream.ServiceConfig{}}
	fs := flag.NewFlagSet("dashboard-gateway", flag.ContinueOnError)
	fs.SetOutput(out)
	raw := defineFlags(fs, &cfg)

	// The environment first, as defaults; then the flags over them.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("environment variable %s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return cfg, envErr
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for s, u := range raw.urls {
		if *u != "" {
			cfg.URLs[s] = *u
		}
	}
	var errs []error
	base, err := downstream.ParseSpec(*raw.basePolicy, downstream.ServiceConfig{})
	if err != nil {
		errs = append(errs, fmt.Errorf("-policy (POLICY): %w", err))
	}
	for _, s := range downstream.Services() {
		sc, err := downstream.ParseSpec(*raw.policies[s], base)
		if err != nil {
			name := string(s) + "-policy"
			errs = append(errs, fmt.Errorf("-%s (%s): %w", name, envName(name), err))
		}
		cfg.Services[s] = sc
	}
	if cfg.Budgets, err = parseBudgets(*raw.budgets); err != nil {
		errs = append(errs, fmt.Errorf("-optional-fields (OPTIONAL_FIELDS): %w", err))
	}
	return cfg, errors.Join(append(errs, cfg.validate())...)
}

// parseBudgets reads "field=duration,..." or "none".
func parseBudgets(v string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	if v == "none" || v == "" {
		return out, nil
	}
	fields := map[string]bool{"profile": true, "orders": true, "recommendations": true, "notifications": true, "wallet": true}
	for _, pair := range strings.Split(v, ",") {
		name, d, ok := strings.Cut(strings.TrimSpace(pair), "=")
		budget, err := time.ParseDuration(d)
		if !ok || !fields[name] || err != nil || budget <= 0 {
			return nil, fmt.Errorf("%q: want field=duration with a Dashboard field (profile, orders, recommendations, notifications, wallet)", pair)
		}
		out[name] = budget
	}
	return out, nil
}

func (c config) validate() error {
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
	l := c.Limits
	for name, v := range map[string]int{"max-depth": l.MaxDepth, "max-aliases": l.MaxAliases, "max-root-fields": l.MaxRootFields,
		"max-fields": l.MaxFields, "max-spreads": l.MaxSpreads, "max-selections": l.MaxSelections, "max-operations": l.MaxOperations,
		"max-fragments": l.MaxFragments, "max-variables": l.MaxVariables, "max-nodes": l.MaxNodes, "max-repeats": l.MaxRepeats,
		"max-cost": c.MaxCost, "max-query-bytes": c.MaxQueryBytes, "max-header-bytes": c.Server.MaxHeaderBytes} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("-%s (%s) %d: want at least 1", name, envName(name), v))
		}
	}
	if c.APQCacheSize < 0 {
		errs = append(errs, fmt.Errorf("-apq-cache-size (APQ_CACHE_SIZE) %d: want 0 (off) or more", c.APQCacheSize))
	}
	for name, rl := range map[string]gateway.RateLimit{"rate": c.RateLimit, "subject-rate": c.SubjectRateLimit} {
		if rl.Requests < 0 {
			errs = append(errs, fmt.Errorf("-%s-limit (%s) %d: want 0 (off) or more", name, envName(name+"-limit"), rl.Requests))
		}
		if rl.Window <= 0 {
			errs = append(errs, fmt.Errorf("-%s-window (%s) %v: want more than 0", name, envName(name+"-window"), rl.Window))
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
	if c.Auth.Secret != "" && c.Auth.JWKSURL != "" {
		errs = append(errs, errors.New("-auth-secret (AUTH_SECRET) and -auth-jwks-url (AUTH_JWKS_URL): set one, not both"))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("-log-format (LOG_FORMAT) %q: want json or text", c.LogFormat))
	}
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
