// Package config is every setting of the gateway, read from flags and the
// environment (Parse) and checked at once, so a bad setting fails start-up
// with a message that names it. Each setting is a flag and an environment
// variable of the same name (upper case, - as _); a flag wins over the
// environment, which wins over the default.
//
// A setting's default belongs to the package that uses it (gateway,
// limits, overload, auth): a zero field means that default unless its
// comment says otherwise, and the flags show those packages' Default
// constants. It does not build anything from the settings: package app
// does.
package config

import (
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/limits"
)

// Config is every setting of the gateway.
type Config struct {
	// Addr is the public listen address. Default ":8080".
	Addr string
	// Deadline is every request's deadline; a client's X-Timeout-Ms can
	// only shorten it. Zero means gateway.DefaultDeadline (1.5s).
	Deadline time.Duration
	// MaxBodyBytes caps a request body. Zero means
	// gateway.DefaultMaxBodyBytes (256 KiB).
	MaxBodyBytes int64
	// ShutdownGrace is how long requests in flight may take to finish on
	// shutdown; longer than Deadline. Default 10s.
	ShutdownGrace time.Duration
	// ShutdownDelay is how long /readyz answers 503 on shutdown before the
	// listener closes. Default 0.
	ShutdownDelay time.Duration
	// OverloadTarget is the scheduling latency past which the gateway sheds
	// requests (package overload); zero turns shedding off. Parse's default
	// is overload.DefaultTarget (2ms).
	OverloadTarget time.Duration
	// FieldTiming lets clients ask for per-field timings.
	FieldTiming bool
	// TraceDocument puts each operation's document on its trace span.
	TraceDocument bool
	// GqlgenOnly runs every operation on gqlgen's executor, none on the
	// fast path (package fastpath): the answers are the same, at about 3x
	// the CPU. An operator's switch, should the fast path be suspected.
	// Default false.
	GqlgenOnly bool
	// LogFormat is json (the default) or text.
	LogFormat string
	// LogLevel is the lowest level logged. Default info.
	LogLevel slog.Level
	// LogRepeatInterval is how long a repeated warning (Redis or a service
	// down) stays quiet after it was logged; the next one counts those
	// dropped (package ratelog). Zero logs every one. Parse's default is
	// ratelog.DefaultInterval (10s).
	LogRepeatInterval time.Duration
	// SimSeed seeds the simulated services' latency and faults. Default 1.
	SimSeed uint64
	// Simulation is how the simulated services behave, a simulator.Preset:
	// "seed" (the default: the original aggregator's latency and orders'
	// 30% of failures, so most answers are partial), "healthy", "longtail",
	// "heavytail" or "chaotic".
	Simulation string
	// URLs holds the configured service base URLs; a service without one is
	// simulated in-process.
	URLs map[downstream.Service]string
	// Simulate names the services simulated in-process on purpose while
	// others have URLs (-simulate); SimulateAll (-simulate=all) stands for
	// every service without a URL. With no URL at all every service is
	// simulated; once one has a URL, each other one needs a URL or a
	// place in Simulate, or Parse refuses the configuration.
	Simulate    []downstream.Service
	SimulateAll bool
	// Services holds every service's settings (h2c, resilience policy):
	// -policy for all, then -<service>-policy over it. Their URLs are empty
	// until the caller knows them (URLs, or the simulator's).
	Services map[downstream.Service]downstream.ServiceConfig
	// Budgets are the optional Dashboard fields and their budgets; empty
	// (the default): every field waits for its data until the deadline.
	Budgets map[string]time.Duration

	// Introspection allows introspection and serves GraphiQL and the SDL:
	// "on", "off", or "auto" (the default; also what empty means): on while
	// any service is simulated (has no URL in URLs).
	Introspection string
	// PlaygroundAssets is the base URL GraphiQL's pinned npm packages load
	// from: a CDN, a mirror or a self-hosted copy, https (http only on
	// loopback). Empty means playground.DefaultAssets (jsDelivr).
	PlaygroundAssets string
	// Limits bound a document and its operations; zero fields mean the
	// limits package's defaults.
	Limits limits.Limits
	// MaxCost bounds an operation's cost. Zero means gateway.DefaultMaxCost.
	MaxCost int
	// MaxQueryBytes caps a query's length. Zero means
	// gateway.DefaultMaxQueryBytes.
	MaxQueryBytes int
	// MaxErrors caps the errors of an answer. Zero means
	// gateway.DefaultMaxErrors.
	MaxErrors int
	// MaxResponseBytes caps the size of an answer, in bytes. Zero means
	// gateway.DefaultMaxResponseBytes.
	MaxResponseBytes int
	// Input bounds a request's variables and extensions while they are
	// decoded; zero fields mean graphqlhttp's defaults.
	Input graphqlhttp.InputLimits
	// APQCacheSize bounds the Automatic Persisted Queries cache (entries);
	// zero turns APQ off, as it does in gateway.Options. Parse's default is
	// gateway.DefaultAPQCacheSize (1000).
	APQCacheSize int
	// APQCacheBytes bounds the same cache in bytes. Parse's default is
	// gateway.DefaultAPQCacheBytes (4 MiB).
	APQCacheBytes int
	// APQRegisterLimit bounds the persisted queries each client registers;
	// past it a query runs but is not stored. Parse's default is
	// gateway.DefaultAPQRegisterRequests per
	// gateway.DefaultAPQRegisterWindow (30 per minute).
	APQRegisterLimit gateway.RateLimit
	// QueryCacheBytes bounds the parsed documents kept by their estimated
	// size in memory. Parse's default is gateway.DefaultQueryCacheBytes
	// (16 MiB).
	QueryCacheBytes int
	// TrustedDocuments is the path of a persisted-documents manifest; when
	// set, only its operations run. Empty (the default): off.
	TrustedDocuments string
	// Auth turns authentication on when it has a secret or a JWKS URL.
	Auth Auth
	// RateLimit limits each client address, before authentication; zero
	// Requests (the default) turns it off.
	RateLimit gateway.RateLimit
	// SubjectRateLimit limits each token subject, after authentication;
	// zero Requests (the default) turns it off.
	SubjectRateLimit gateway.RateLimit
	// ClientIPHeader is the header trusted proxies set to the client's
	// address; empty (the default): the connection's address.
	ClientIPHeader string
	// TrustedProxies are the proxies whose ClientIPHeader is believed.
	TrustedProxies []netip.Prefix
	// CORSOrigins lists the origins browsers may call from ("*" for any),
	// each scheme://host[:port] (gateway.CheckOrigin). Empty (the
	// default): loopback origins (http://localhost:*, 127.0.0.1, [::1])
	// while any service is simulated, same origin only otherwise.
	CORSOrigins []string
	// Server are the public HTTP server's timeouts and header cap; zero
	// fields mean gateway's defaults.
	Server gateway.ServerConfig
	// CacheMaxBytes bounds the in-memory response cache (package cache),
	// keys and values. Parse's default is cache.DefaultMaxBytes (64 MiB).
	CacheMaxBytes int
	// CacheMaxEntryBytes caps one cached answer, uncompressed; a larger one
	// is not cached. Parse's default is cache.DefaultMaxEntryBytes
	// (256 KiB).
	CacheMaxEntryBytes int
	// AdminAddr is the operators' listener (metrics, pprof, probes);
	// "off" means none. Default "127.0.0.1:9090".
	AdminAddr string
	// AdminHosts are the host names, besides IP addresses and localhost,
	// the admin listener answers to (gateway.Options.AdminHosts). Empty
	// (the default): none.
	AdminHosts []string
	// Redis is the store the replicas share; without its URL (the default)
	// every replica keeps its state in memory.
	Redis Redis
}

// Redis are the shared store's settings; URL (it may hold a password),
// Password and SentinelPassword are secrets.
type Redis struct {
	// URL is the Redis address (sharedstore.ParseURL: redis://,
	// rediss://, Sentinel, Cluster); empty (the default): no shared store.
	URL string
	// PasswordFile is the path of a file holding the Redis servers'
	// password (sharedstore.Options.Password), so the URL need not: Parse
	// reads it into Password. Empty (the default): the URL's.
	PasswordFile string
	// Password is the content of PasswordFile, read by Parse.
	Password string
	// SentinelPasswordFile is the path of a file holding the sentinels'
	// password (sharedstore.Options.SentinelPassword): Parse reads it into
	// SentinelPassword. Empty (the default): the URL's.
	SentinelPasswordFile string
	// SentinelPassword is the content of SentinelPasswordFile, read by
	// Parse.
	SentinelPassword string
	// Timeout bounds every Redis call. Parse's default is
	// sharedstore.DefaultTimeout (50ms).
	Timeout time.Duration
	// APQTTL is how long a persisted query stays in Redis after it was
	// registered. Parse's default is documents.DefaultSharedTTL (1h).
	APQTTL time.Duration
	// APQMaxBytes is the longest persisted query kept in Redis; longer
	// ones stay per replica. Parse's default is
	// documents.DefaultSharedMaxBytes (20,000).
	APQMaxBytes int
	// APQBudget is how many persisted queries all replicas together may
	// store in Redis per APQTTL; the others stay per replica. Parse's
	// default is documents.DefaultSharedBudget (1,000).
	APQBudget int
}

// Auth are the authentication settings; Secret is a secret.
type Auth struct {
	// Secret is the HS256 secret of the tokens (32 bytes at least): given
	// as is, or read by Parse from SecretFile.
	Secret string
	// SecretFile is the path of a file holding Secret, which keeps it out
	// of the command line and the environment. Empty (the default): none.
	SecretFile string
	// JWKSURL is the URL of the JWKS with the RS256/ES256 keys of the tokens.
	JWKSURL string
	// Issuer and Audience, if set, are the required iss and aud claims.
	Issuer, Audience string
	// AdminScope lets a token read any user's dashboard. Zero means
	// auth.DefaultAdminScope.
	AdminScope string
}

// On reports whether authentication is on.
func (a Auth) On() bool { return a.Secret != "" || a.JWKSURL != "" }

// Default returns the configuration with nothing set: what Parse returns
// for no arguments and an empty environment.
func Default() Config {
	cfg, err := Parse(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic("config: the defaults are not valid: " + err.Error()) // a bug in this package
	}
	return cfg
}

// Flags returns every flag with its default and usage, as Parse defines
// them (EnvName gives their environment variables): for help and for
// documentation checks; parsing it sets nothing.
func Flags() *flag.FlagSet {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	defineFlags(fs, &Config{})
	return fs
}

// FlagNames returns the name of every flag.
func FlagNames() []string {
	var names []string
	Flags().VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// EnvName returns the environment variable of a flag: DEADLINE for
// deadline, MAX_BODY_BYTES for max-body-bytes.
func EnvName(flagName string) string {
	return strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Simulated returns the services without a URL in URLs, in the order of
// downstream.Services: those the gateway simulates in-process.
func (c Config) Simulated() []downstream.Service {
	var out []downstream.Service
	for _, s := range downstream.Services() {
		if c.URLs[s] == "" {
			out = append(out, s)
		}
	}
	return out
}
