package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/envflag"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/playground"
	"github.com/acme/dashboard-gateway/ratelog"
	"github.com/acme/dashboard-gateway/sharedstore"
	"github.com/acme/dashboard-gateway/simulator"
)

// rawFlags are the flags read as strings and parsed after flag.Parse.
type rawFlags struct {
	urls, policies      map[downstream.Service]*string
	basePolicy, budgets *string
	simulate            *string
}

// defineFlags defines every setting on fs, storing into cfg.
func defineFlags(fs *flag.FlagSet, cfg *Config) *rawFlags {
	fs.StringVar(&cfg.Addr, "addr", ":8080", "listen address")
	fs.DurationVar(&cfg.Deadline, "deadline", gateway.DefaultDeadline, "request-wide deadline; a client's X-Timeout-Ms can only shorten it")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", gateway.DefaultMaxBodyBytes, "largest request body accepted, in bytes")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may take to finish on shutdown; longer than -deadline")
	fs.DurationVar(&cfg.OverloadTarget, "overload-target", overload.DefaultTarget, "how long goroutines may wait to run (p90) before the gateway counts as overloaded, lowers its concurrency limit and sheds requests with 503; 0 turns shedding off")
	fs.DurationVar(&cfg.ShutdownDelay, "shutdown-delay", 0, "on SIGTERM, how long to answer /readyz with 503 before closing the listener (for load balancers without a preStop hook)")
	fs.BoolVar(&cfg.GqlgenOnly, "gqlgen-only", false, "run every operation on gqlgen's executor instead of the fast path: the same answers at about 3x the CPU, should the fast path be suspected")
	fs.BoolVar(&cfg.TraceDocument, "trace-graphql-document", false, "with tracing on, put each operation's document on its span (graphql.document); off by default: documents may hold ids and other values clients typed in")
	fs.BoolVar(&cfg.FieldTiming, "field-timing", false, `let clients ask for per-field timings in the response's extensions ({"extensions":{"timing":true}})`)
	fs.StringVar(&cfg.LogFormat, "log-format", "json", "log format: json or text")
	fs.TextVar(&cfg.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.DurationVar(&cfg.LogRepeatInterval, "log-repeat-interval", ratelog.DefaultInterval, "how long a repeated warning (Redis or a service down) stays quiet after it was logged; the next one says how many were dropped; 0 logs every one")
	fs.Uint64Var(&cfg.SimSeed, "sim-seed", 1, "seed of the simulated services' random latency and faults")
	fs.StringVar(&cfg.Simulation, "simulation", "seed", "how the simulated services behave: "+strings.Join(simulator.PresetNames(), ", ")+
		" (seed: 100ms..1s each and orders fails 30% of its calls, so most answers are partial; healthy: no latency, no faults)")
	raw := &rawFlags{urls: map[downstream.Service]*string{}, policies: map[downstream.Service]*string{}}
	for _, s := range downstream.Services() {
		raw.urls[s] = fs.String(string(s)+"-url", "", fmt.Sprintf("base URL of the %s service; empty: simulated in-process, only while no service has a URL or with -simulate", s))
		raw.policies[s] = fs.String(string(s)+"-policy", "", fmt.Sprintf("settings of calls to the %s service, over -policy (same keys)", s))
	}
	fs.StringVar(&cfg.Introspection, "introspection", "auto", "allow introspection and serve GET /schema.graphqls: on, off, or auto (on while any service is simulated)")
	fs.StringVar(&cfg.PlaygroundAssets, "playground-assets", playground.DefaultAssets, "where GraphiQL's pinned npm packages load from: a base URL (<package>@<version>/<file>, with CORS: a CDN or a mirror; https, or http on loopback), or a local directory where npm installed them, which the gateway serves on its own origin")
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
	fs.IntVar(&cfg.Limits.MaxDeferred, "max-deferred", limits.DefaultMaxDeferred, "most @defer fragments an operation may have, fragments expanded")
	fs.IntVar(&cfg.MaxCost, "max-cost", gateway.DefaultMaxCost, "highest cost an operation may have (docs/configuration.md#limits)")
	fs.IntVar(&cfg.MaxQueryBytes, "max-query-bytes", gateway.DefaultMaxQueryBytes, "longest query text accepted, in bytes")
	fs.IntVar(&cfg.MaxErrors, "max-errors", gateway.DefaultMaxErrors, "most errors an answer holds; the others are counted in one TOO_MANY_ERRORS error (docs/security.md#answer-size)")
	fs.IntVar(&cfg.MaxResponseBytes, "max-response-bytes", gateway.DefaultMaxResponseBytes, "largest answer sent, in bytes; a larger one becomes a RESPONSE_TOO_LARGE error (docs/security.md#answer-size)")
	fs.IntVar(&cfg.Input.MaxVariablesBytes, "max-variables-bytes", graphqlhttp.DefaultMaxVariablesBytes, `longest "variables" accepted, in bytes of JSON`)
	fs.IntVar(&cfg.Input.MaxExtensionsBytes, "max-extensions-bytes", graphqlhttp.DefaultMaxExtensionsBytes, `longest "extensions" accepted, in bytes of JSON`)
	fs.IntVar(&cfg.Input.MaxJSONValues, "max-json-values", graphqlhttp.DefaultMaxJSONValues, `most JSON values (arrays, objects, their elements and members) "variables" or "extensions" may hold, each`)
	fs.IntVar(&cfg.Input.MaxJSONDepth, "max-json-depth", graphqlhttp.DefaultMaxJSONDepth, `deepest nesting of arrays and objects in "variables" or "extensions"`)
	fs.IntVar(&cfg.APQCacheSize, "apq-cache-size", gateway.DefaultAPQCacheSize, "queries remembered for Automatic Persisted Queries; 0 turns APQ off")
	fs.IntVar(&cfg.APQCacheBytes, "apq-cache-bytes", gateway.DefaultAPQCacheBytes, "memory the Automatic Persisted Queries cache may hold, in bytes (queries and hashes)")
	fs.IntVar(&cfg.APQRegisterLimit.Requests, "apq-register-limit", gateway.DefaultAPQRegisterRequests, "persisted queries each client may register per -apq-register-window; past it a query runs but is not stored; 0: off")
	fs.DurationVar(&cfg.APQRegisterLimit.Window, "apq-register-window", gateway.DefaultAPQRegisterWindow, "window of -apq-register-limit")
	fs.IntVar(&cfg.QueryCacheBytes, "query-cache-bytes", gateway.DefaultQueryCacheBytes, "memory the parsed and validated documents kept (not parsed again when sent again) may hold, in bytes as estimated (15-110x the query's length)")
	fs.StringVar(&cfg.TrustedDocuments, "trusted-documents", "", "path of a persisted-documents manifest; when set, only its operations run")
	fs.StringVar(&cfg.Auth.Secret, "auth-secret", "", "HS256 secret of the JWT bearer tokens (32 bytes at least); turns authentication on; prefer -auth-secret-file")
	fs.StringVar(&cfg.Auth.SecretFile, "auth-secret-file", "", "file holding the HS256 secret (read once at start, trailing line breaks dropped), instead of -auth-secret: keeps it out of the command line and environment")
	fs.StringVar(&cfg.Auth.JWKSURL, "auth-jwks-url", "", "URL of the JWKS with the RS256/ES256 keys of the bearer tokens; turns authentication on")
	fs.StringVar(&cfg.Auth.Issuer, "auth-issuer", "", "required iss claim of tokens, if set")
	fs.StringVar(&cfg.Auth.Audience, "auth-audience", "", "required aud claim of tokens, if set")
	fs.StringVar(&cfg.Auth.AdminScope, "auth-admin-scope", auth.DefaultAdminScope, "scope that lets a token read any user's dashboard")
	fs.IntVar(&cfg.RateLimit.Requests, "rate-limit", 0, "GraphQL requests per -rate-window per client address, counted before authentication; 0: off (docs/security.md#rate-limits)")
	fs.DurationVar(&cfg.RateLimit.Window, "rate-window", gateway.DefaultRateWindow, "window of -rate-limit")
	fs.IntVar(&cfg.SubjectRateLimit.Requests, "subject-rate-limit", 0, "GraphQL requests per -subject-rate-window per token subject, counted after authentication; 0: off")
	fs.DurationVar(&cfg.SubjectRateLimit.Window, "subject-rate-window", gateway.DefaultRateWindow, "window of -subject-rate-limit")
	fs.StringVar(&cfg.ClientIPHeader, "client-ip-header", "", "header the trusted proxies set to the client's address (e.g. X-Forwarded-For), read only on connections from -trusted-proxies; empty: the connection's address")
	fs.Func("trusted-proxies", "comma-separated CIDR prefixes (or addresses) of the proxies whose -client-ip-header is believed, e.g. the load balancer's subnet", func(v string) error {
		var err error
		cfg.TrustedProxies, err = clientaddr.ParsePrefixes(v)
		return err
	})
	fs.StringVar(&cfg.AdminAddr, "admin-addr", "127.0.0.1:9090", `listen address of the operators' endpoints (/metrics, /debug/pprof/, probes); never expose it publicly; "off": none`)
	fs.Func("admin-hosts", "comma-separated host names the admin listener answers to besides IP addresses and localhost (its Host header; others get 421, against DNS rebinding), e.g. a Service name Prometheus scrapes by",
		commaList(&cfg.AdminHosts))
	fs.Func("cors-origins", "comma-separated origins browsers may call from, each scheme://host[:port] (* for any); empty: localhost origins while any service is simulated, else same origin only",
		commaList(&cfg.CORSOrigins))
	fs.DurationVar(&cfg.Server.ReadHeaderTimeout, "read-header-timeout", gateway.DefaultReadHeaderTimeout, "time to read a request's headers (slow clients)")
	fs.DurationVar(&cfg.Server.ReadTimeout, "read-timeout", gateway.DefaultReadTimeout, "time to read a whole request")
	fs.DurationVar(&cfg.Server.WriteTimeout, "write-timeout", 0, "time to write a response; 0: -deadline plus 5s")
	fs.DurationVar(&cfg.Server.IdleTimeout, "idle-timeout", gateway.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fs.IntVar(&cfg.Server.MaxHeaderBytes, "max-header-bytes", gateway.DefaultMaxHeaderBytes, "largest request line and headers, in bytes")
	fs.IntVar(&cfg.CacheMaxBytes, "cache-max-bytes", cache.DefaultMaxBytes, "memory the response cache (policy keys cache and stale-if-error) may hold, in bytes")
	fs.IntVar(&cfg.CacheMaxEntryBytes, "cache-max-entry-bytes", cache.DefaultMaxEntryBytes, "largest answer the response cache keeps, in bytes before compression; larger ones are not cached")
	raw.basePolicy = fs.String("policy", "", `settings of calls to every service: comma-separated key=value, e.g. "timeout=800ms,attempts=3,hedge=auto,h2c=on" (docs/configuration.md#policy-keys)`)
	fs.StringVar(&cfg.Redis.URL, "redis-url", "", "Redis shared by the replicas for persisted queries and rate limits: redis://[user:password@]host:port[/db], rediss:// for TLS, ?master_name=NAME for Sentinel, ?cluster=true for Cluster (docs/operating.md); empty: every replica keeps its own")
	fs.StringVar(&cfg.Redis.PasswordFile, "redis-password-file", "", "file holding the password of the Redis servers (read once at start, trailing line breaks dropped), so -redis-url need not hold it")
	fs.StringVar(&cfg.Redis.SentinelPasswordFile, "redis-sentinel-password-file", "", "file holding the password of the Redis sentinels (a -redis-url with ?master_name=), so -redis-url need not hold it")
	fs.DurationVar(&cfg.Redis.Timeout, "redis-timeout", sharedstore.DefaultTimeout, "longest wait for any Redis call; past it the call counts as failed and the request goes on without Redis")
	fs.DurationVar(&cfg.Redis.APQTTL, "redis-apq-ttl", documents.DefaultSharedTTL, "how long a persisted query stays in Redis after it was registered (a lookup does not extend it)")
	fs.IntVar(&cfg.Redis.APQMaxBytes, "redis-apq-max-bytes", documents.DefaultSharedMaxBytes, "longest persisted query kept in Redis, in bytes; longer ones stay per replica")
	fs.IntVar(&cfg.Redis.APQBudget, "redis-apq-budget", documents.DefaultSharedBudget, "persisted queries all replicas together may store in Redis per -redis-apq-ttl (after a burst of as many); the others stay per replica")
	raw.simulate = fs.String("simulate", "", `services simulated in-process although others have URLs, comma-separated (e.g. "wallet,shipping"), or "all" for every one without a URL; without it, once any service has a URL every one needs one`)
	raw.budgets = fs.String("optional-fields", "none",
		`optional Dashboard fields and their budgets, e.g. "recommendations=300ms,notifications=300ms"; "none" (the default): every field waits for its data until the deadline`)
	return raw
}

// commaList returns a flag.Func that sets *dst to the value's
// comma-separated entries, spaces trimmed and empty ones dropped.
func commaList(dst *[]string) func(string) error {
	return func(v string) error {
		*dst = nil
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				*dst = append(*dst, e)
			}
		}
		return nil
	}
}

// Parse reads the settings from args over the environment from getenv, and
// checks them. Usage and errors go to out; -h returns flag.ErrHelp.
func Parse(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	cfg := Config{URLs: map[downstream.Service]string{}, Services: map[downstream.Service]downstream.ServiceConfig{}}
	fs := flag.NewFlagSet("dashboard-gateway", flag.ContinueOnError)
	raw := defineFlags(fs, &cfg)

	// The environment first, as defaults; then the flags over them. A
	// wrong value gets its error alone (the caller prints it), not the
	// whole usage after it; -h prints the usage.
	fs.SetOutput(io.Discard)
	restore := hintDurations(fs)
	err := envflag.Apply(fs, getenv, EnvName)
	if err == nil {
		err = fs.Parse(args)
	}
	restore()
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(out)
		fmt.Fprintf(out, "Usage of dashboard-gateway (every flag can be set by its environment variable: -max-body-bytes by MAX_BODY_BYTES; -version alone prints the build):\n")
		fs.PrintDefaults()
	}
	if err != nil {
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
	if strings.TrimSpace(*raw.simulate) == "all" {
		cfg.SimulateAll = true
	} else if cfg.Simulate, err = parseSimulate(*raw.simulate); err != nil {
		errs = append(errs, err)
	}
	base, err := downstream.ParseSpec(*raw.basePolicy, downstream.ServiceConfig{})
	if err != nil {
		errs = append(errs, fmt.Errorf("-policy (POLICY): %w", err))
	}
	for _, s := range downstream.Services() {
		sc, err := downstream.ParseSpec(*raw.policies[s], base)
		if err != nil {
			name := string(s) + "-policy"
			errs = append(errs, fmt.Errorf("-%s (%s): %w", name, EnvName(name), err))
		}
		cfg.Services[s] = sc
	}
	if cfg.Budgets, err = parseBudgets(*raw.budgets); err != nil {
		errs = append(errs, fmt.Errorf("-optional-fields (OPTIONAL_FIELDS): %w", err))
	}
	errs = append(errs, cfg.readSecretFiles())
	return cfg, errors.Join(append(errs, cfg.validate())...)
}

// parseBudgets reads "field=duration,..." or "none", where each field is a
// Dashboard field a service backs (contract.Services).
func parseBudgets(v string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	if v == "none" || v == "" {
		return out, nil
	}
	fields := contract.FieldsOf("Dashboard") // those a service backs
	for _, pair := range strings.Split(v, ",") {
		name, d, ok := strings.Cut(strings.TrimSpace(pair), "=")
		budget, err := time.ParseDuration(d)
		if !ok || !slices.Contains(fields, name) || err != nil || budget <= 0 {
			return nil, fmt.Errorf("%q: want field=duration with a Dashboard field (%s)", pair, strings.Join(fields, ", "))
		}
		out[name] = budget
	}
	return out, nil
}

// parseSimulate reads -simulate's service names, comma-separated; "" is
// none.
func parseSimulate(v string) ([]downstream.Service, error) {
	var names []string
	_ = commaList(&names)(v)
	out := make([]downstream.Service, 0, len(names))
	for _, n := range names {
		s := downstream.Service(strings.ToLower(n))
		if !slices.Contains(downstream.Services(), s) {
			return nil, fmt.Errorf("-simulate (SIMULATE) %q: no such service; want some of %s, or all", n, serviceList(downstream.Services()))
		}
		out = append(out, s)
	}
	return out, nil
}

// serviceList is services as "a, b, c".
func serviceList(services []downstream.Service) string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// durationHint is a duration flag whose error says what a duration looks
// like: flag's own says only "parse error".
type durationHint struct{ flag.Value }

func (d durationHint) Set(v string) error {
	if err := d.Value.Set(v); err != nil {
		return errors.New("want a duration with a unit, such as 1.5s, 300ms or 2m")
	}
	return nil
}

// hintDurations gives fs's duration flags durationHint's errors, and
// returns what puts their own values back (for the usage, which names
// their type from them).
func hintDurations(fs *flag.FlagSet) (restore func()) {
	wrapped := map[*flag.Flag]flag.Value{}
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, ok := g.Get().(time.Duration); ok {
				wrapped[f] = f.Value
				f.Value = durationHint{f.Value}
			}
		}
	})
	return func() {
		for f, v := range wrapped {
			f.Value = v
		}
	}
}
