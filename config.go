package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
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
	FieldTiming   bool
	LogFormat     string
	LogLevel      slog.Level
	SimSeed       uint64
	// URLs holds the configured service base URLs; a service without one is
	// simulated in-process.
	URLs map[downstream.Service]string
	// Services holds every service's settings (h2c, resilience policy):
	// -policy for all, then -<service>-policy over it. URLs are filled in
	// when the simulator's are known.
	Services map[downstream.Service]downstream.ServiceConfig
	// Budgets are the optional Dashboard fields and their budgets.
	Budgets map[string]time.Duration
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
	raw.basePolicy = fs.String("policy", "", `settings of calls to every service: comma-separated key=value, e.g. "timeout=800ms,attempts=3,hedge=p95,h2c=on" (README: Resilience)`)
	raw.budgets = fs.String("optional-fields", "recommendations=500ms,notifications=500ms",
		`optional Dashboard fields and their budgets, e.g. "recommendations=300ms"; "none" makes every field critical`)
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
	if c.ShutdownDelay < 0 || c.ShutdownDelay > time.Minute {
		errs = append(errs, fmt.Errorf("-shutdown-delay (SHUTDOWN_DELAY) %v: want 0..1m", c.ShutdownDelay))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("-log-format (LOG_FORMAT) %q: want json or text", c.LogFormat))
	}
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
