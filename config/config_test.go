package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/overload"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // "" means valid
		check   func(Config) bool
	}{
		{"defaults", nil, nil, "", func(c Config) bool {
			return c.Addr == ":8080" && c.Deadline == 1500*time.Millisecond && len(c.URLs) == 0
		}},
		{"env", nil, map[string]string{"ADDR": ":9000", "DEADLINE": "700ms", "ORDERS_URL": "http://orders:1", "SIMULATE": "all"}, "", func(c Config) bool {
			return c.Addr == ":9000" && c.Deadline == 700*time.Millisecond && c.URLs["orders"] == "http://orders:1"
		}},
		{"flags as env", []string{"-addr", ":9000", "-deadline", "700ms", "-orders-url", "http://orders:1", "-simulate", "all"}, nil, "", func(c Config) bool {
			return c.Addr == ":9000" && c.Deadline == 700*time.Millisecond && c.URLs["orders"] == "http://orders:1"
		}},
		{"flag wins", []string{"-deadline", "900ms"}, map[string]string{"DEADLINE": "700ms"}, "", func(c Config) bool {
			return c.Deadline == 900*time.Millisecond
		}},
		{"bad env", nil, map[string]string{"DEADLINE": "soon"}, "DEADLINE", nil},
		{"bad flag value", []string{"-deadline", "soon"}, nil, "deadline", nil},
		{"duration without a unit", []string{"-deadline=1.5"}, nil, `invalid value "1.5" for flag -deadline: want a duration with a unit, such as 1.5s, 300ms or 2m`, nil},
		{"duration without a unit in env", nil, map[string]string{"RATE_WINDOW": "60"}, `environment variable RATE_WINDOW="60": want a duration with a unit, such as 1.5s`, nil},
		{"deadline too short", []string{"-deadline", "1ms"}, nil, "-deadline", nil},
		{"log format", []string{"-log-format", "xml"}, nil, "-log-format", nil},
		{"log level", nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL", nil},
		{"body limit", []string{"-max-body-bytes", "10"}, nil, "-max-body-bytes", nil},
		{"unknown flag", []string{"-nope"}, nil, "nope", nil},
		{"policies", []string{"-orders-policy", "timeout=300ms,h2c=on"}, map[string]string{"POLICY": "attempts=3"}, "", func(c Config) bool {
			o, w := c.Services["orders"], c.Services["wallet"]
			return o.Policy.Timeout == 300*time.Millisecond && o.Policy.Attempts == 3 && o.H2C &&
				w.Policy.Attempts == 3 && w.Policy.Timeout == 0 && !w.H2C
		}},
		{"bad service policy", []string{"-orders-policy", "timeout=soon"}, nil, "-orders-policy (ORDERS_POLICY)", nil},
		{"bad policy from env", nil, map[string]string{"POLICY": "attempts=99"}, "-policy (POLICY)", nil},
		{"optional fields", []string{"-optional-fields", "wallet=200ms"}, nil, "", func(c Config) bool {
			return len(c.Budgets) == 1 && c.Budgets["wallet"] == 200*time.Millisecond
		}},
		{"no optional fields", []string{"-optional-fields", "none"}, nil, "", func(c Config) bool { return len(c.Budgets) == 0 }},
		{"bad optional field", []string{"-optional-fields", "userId=1s"}, nil, "-optional-fields", nil},
		{"grace shorter than the deadline", []string{"-deadline", "5s", "-shutdown-grace", "2s"}, nil, "-shutdown-grace", nil},
		{"shutdown delay", nil, map[string]string{"SHUTDOWN_DELAY": "2h"}, "-shutdown-delay", nil},
		{"operations settings", []string{"-field-timing", "-shutdown-delay", "3s"}, nil, "", func(c Config) bool {
			return c.FieldTiming && c.ShutdownDelay == 3*time.Second
		}},
		{"stray argument", []string{"serve"}, nil, "serve", nil},
		{"edge defaults: rate limits off, no proxy trusted, admin on loopback", nil, nil, "", func(c Config) bool {
			return c.RateLimit.Requests == 0 && c.SubjectRateLimit.Requests == 0 && c.ClientIPHeader == "" &&
				len(c.TrustedProxies) == 0 && c.AdminAddr == "127.0.0.1:9090"
		}},
		{"behind a load balancer", nil, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7", "CLIENT_IP_HEADER": "X-Forwarded-For",
			"RATE_LIMIT": "50", "RATE_WINDOW": "10s", "ADMIN_ADDR": ":9090"}, "", func(c Config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 192.0.2.7/32]" && c.ClientIPHeader == "X-Forwarded-For" &&
				c.RateLimit.Requests == 50 && c.RateLimit.Window == 10*time.Second && c.AdminAddr == ":9090"
		}},
		{"bad trusted proxy", nil, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33", "CLIENT_IP_HEADER": "X-Forwarded-For"}, "TRUSTED_PROXIES", nil},
		{"bad trusted proxy flag", []string{"-trusted-proxies", "10.0.0.0/8,lb.internal", "-client-ip-header", "X-Forwarded-For"}, nil, "-trusted-proxies", nil},
		{"client IP header without trusted proxies", []string{"-client-ip-header", "X-Forwarded-For"}, nil, "-client-ip-header (CLIENT_IP_HEADER), -trusted-proxies (TRUSTED_PROXIES)", nil},
		{"trusted proxies without a header", []string{"-trusted-proxies", "10.0.0.0/8"}, nil, "-trusted-proxies (TRUSTED_PROXIES)", nil},
		{"every address trusted", []string{"-trusted-proxies", "0.0.0.0/0", "-client-ip-header", "X-Forwarded-For"}, nil, "trusts every address", nil},
		{"Forwarded header", []string{"-trusted-proxies", "10.0.0.0/8", "-client-ip-header", "Forwarded"}, nil, "-client-ip-header", nil},
		{"negative rate limit", []string{"-rate-limit", "-1"}, nil, "-rate-limit (RATE_LIMIT)", nil},
		{"zero rate window", nil, map[string]string{"RATE_WINDOW": "0s"}, "-rate-window (RATE_WINDOW)", nil},
		{"subject rate limit", []string{"-subject-rate-limit", "20", "-subject-rate-window", "1m", "-auth-secret", strings.Repeat("s", 32)}, nil, "", func(c Config) bool {
			return c.SubjectRateLimit.Requests == 20 && c.SubjectRateLimit.Window == time.Minute
		}},
		{"subject rate limit without authentication", []string{"-subject-rate-limit", "20"}, nil, "-subject-rate-limit (SUBJECT_RATE_LIMIT)", nil},
		{"bad subject rate window", []string{"-subject-rate-window", "-1s"}, nil, "-subject-rate-window (SUBJECT_RATE_WINDOW)", nil},
		{"admin off", []string{"-admin-addr", "off"}, nil, "", func(c Config) bool { return c.AdminAddr == "off" }},
		{"bad admin address", nil, map[string]string{"ADMIN_ADDR": "9090"}, "-admin-addr (ADMIN_ADDR)", nil},
		{"admin address is the public one", []string{"-addr", ":8080", "-admin-addr", ":8080"}, nil, "-admin-addr (ADMIN_ADDR)", nil},
		{"redis", nil, map[string]string{"REDIS_URL": "rediss://u:pw@redis.example.com:6380/1", "REDIS_TIMEOUT": "20ms"}, "", func(c Config) bool {
			return c.Redis.URL == "rediss://u:pw@redis.example.com:6380/1" && c.Redis.Timeout == 20*time.Millisecond &&
				c.Redis.APQTTL == time.Hour && c.Redis.APQMaxBytes == 20_000 && c.Redis.APQBudget == 1000
		}},
		{"APQ registrations per client", nil, nil, "", func(c Config) bool {
			return c.APQRegisterLimit == gateway.RateLimit{Requests: 30, Window: time.Minute} && c.LogRepeatInterval == 10*time.Second
		}},
		{"redis APQ budget", []string{"-redis-apq-budget", "0"}, nil, "-redis-apq-budget (REDIS_APQ_BUDGET)", nil},
		{"APQ register limit", []string{"-apq-register-limit", "-1"}, nil, "-apq-register-limit (APQ_REGISTER_LIMIT)", nil},
		{"APQ register window", []string{"-apq-register-window", "0s"}, nil, "-apq-register-window (APQ_REGISTER_WINDOW)", nil},
		{"log repeat interval", []string{"-log-repeat-interval", "-1s"}, nil, "-log-repeat-interval (LOG_REPEAT_INTERVAL)", nil},
		{"redis off by default", nil, nil, "", func(c Config) bool { return c.Redis.URL == "" }},
		{"bad redis scheme", []string{"-redis-url", "http://redis:6379"}, nil, "-redis-url (REDIS_URL)", nil},
		{"bad redis parameter", []string{"-redis-url", "redis://redis:6379?nope=1"}, nil, "-redis-url (REDIS_URL)", nil},
		{"redis timeout too long", []string{"-redis-timeout", "5s"}, nil, "-redis-timeout (REDIS_TIMEOUT)", nil},
		{"redis APQ TTL too short", []string{"-redis-apq-ttl", "10ms"}, nil, "-redis-apq-ttl (REDIS_APQ_TTL)", nil},
		{"redis APQ size", []string{"-redis-apq-max-bytes", "0"}, nil, "-redis-apq-max-bytes (REDIS_APQ_MAX_BYTES)", nil},
		{"query cache bytes", []string{"-query-cache-bytes", "0"}, nil, "-query-cache-bytes (QUERY_CACHE_BYTES)", nil},
		{"APQ cache bytes", nil, map[string]string{"APQ_CACHE_BYTES": "-1"}, "-apq-cache-bytes (APQ_CACHE_BYTES)", nil},
		{"input limits", []string{"-max-variables-bytes", "4096", "-max-json-depth", "4"}, map[string]string{"MAX_EXTENSIONS_BYTES": "512", "MAX_JSON_VALUES": "300"}, "", func(c Config) bool {
			return c.Input == graphqlhttp.InputLimits{MaxVariablesBytes: 4096, MaxExtensionsBytes: 512, MaxJSONValues: 300, MaxJSONDepth: 4}
		}},
		{"variables bytes", []string{"-max-variables-bytes", "0"}, nil, "-max-variables-bytes (MAX_VARIABLES_BYTES)", nil},
		{"JSON values", nil, map[string]string{"MAX_JSON_VALUES": "-5"}, "-max-json-values (MAX_JSON_VALUES)", nil},
		{"JSON depth too deep", []string{"-max-json-depth", "5000"}, nil, "-max-json-depth (MAX_JSON_DEPTH) 5000: want 1..1000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v; want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(cfg) {
				t.Errorf("config %+v, error %v", cfg, err)
			}
		})
	}
}

// The defaults are the owning packages' Default constants, and APQ is on.
func TestDefault(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"Deadline", c.Deadline, gateway.DefaultDeadline},
		{"APQCacheSize", c.APQCacheSize, gateway.DefaultAPQCacheSize},
		{"APQCacheBytes", c.APQCacheBytes, gateway.DefaultAPQCacheBytes},
		{"QueryCacheBytes", c.QueryCacheBytes, gateway.DefaultQueryCacheBytes},
		{"OverloadTarget", c.OverloadTarget, overload.DefaultTarget},
		{"RateLimit.Window", c.RateLimit.Window, gateway.DefaultRateWindow},
		{"Introspection", c.Introspection, "auto"},
		{"Input", c.Input, graphqlhttp.InputLimits{MaxVariablesBytes: graphqlhttp.DefaultMaxVariablesBytes, MaxExtensionsBytes: graphqlhttp.DefaultMaxExtensionsBytes,
			MaxJSONValues: graphqlhttp.DefaultMaxJSONValues, MaxJSONDepth: graphqlhttp.DefaultMaxJSONDepth}},
	} {
		if tt.got != tt.want {
			t.Errorf("Default().%s: got %v; want %v", tt.name, tt.got, tt.want)
		}
	}
}

// Origins are checked at start: a malformed one would never match, so it
// fails start-up with a message naming the setting.
func TestCORSOrigins(t *testing.T) {
	tests := []struct {
		value   string
		wantErr string // "" means valid
	}{
		{"https://app.example.com", ""},
		{"http://localhost:5173,https://app.example.com:8443", ""},
		{"http://[::1]:3000, http://127.0.0.1:8081", ""},
		{"*", ""},
		{"app.example.com", "want scheme://host[:port]"},
		{"localhost:5173", "scheme"},
		{"https://app.example.com/", "trailing slash"},
		{"https://app.example.com/app", "path"},
		{"https://app.example.com?x=1", "query"},
		{"https://app.example.com#top", "fragment"},
		{"ftp://files.example.com", "want http or https"},
		{"https://", "no host"},
		{"https://user@app.example.com", "user info"},
		{"https://*.example.com", "wildcards"},
		{"https://app.example.com:99999", "port"},
		{"https://app.example.com:", "empty port"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			for _, how := range []struct {
				args []string
				env  map[string]string
			}{{[]string{"-cors-origins", tt.value}, nil}, {nil, map[string]string{"CORS_ORIGINS": tt.value}}} {
				_, err := Parse(how.args, func(k string) string { return how.env[k] }, io.Discard)
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("error %v; want none", err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), "-cors-origins (CORS_ORIGINS)") || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("error %v; want one naming -cors-origins (CORS_ORIGINS) and saying %q", err, tt.wantErr)
				}
			}
		})
	}
}

// The embedded simulation is one of the simulator's presets, checked at
// start.
func TestSimulation(t *testing.T) {
	if c := Default(); c.Simulation != "seed" {
		t.Errorf("Default().Simulation %q; want seed", c.Simulation)
	}
	for _, name := range []string{"seed", "healthy", "chaotic", "longtail", "heavytail"} {
		c, err := Parse(nil, func(k string) string { return map[string]string{"SIMULATION": name}[k] }, io.Discard)
		if err != nil || c.Simulation != name {
			t.Errorf("SIMULATION=%s: %q, %v; want it", name, c.Simulation, err)
		}
	}
	for _, bad := range []string{"chaos", "", "Seed"} {
		_, err := Parse([]string{"-simulation", bad}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-simulation (SIMULATION)") || !strings.Contains(err.Error(), "chaotic, healthy, heavytail, longtail, seed") {
			t.Errorf("-simulation %q: error %v; want one naming -simulation (SIMULATION) and the choices", bad, err)
		}
	}
}

// Simulated names the services without a URL, whichever are declared.
func TestSimulated(t *testing.T) {
	all := downstream.Services()
	env := func(skip downstream.Service) func(string) string {
		return func(k string) string {
			for _, s := range all {
				if s != skip && k == EnvName(string(s)+"-url") {
					return "http://" + string(s) + ":8080"
				}
			}
			if k == "SIMULATE" && skip != "" {
				return string(skip)
			}
			return ""
		}
	}
	tests := []struct {
		name   string
		getenv func(string) string
		want   []downstream.Service
	}{
		{"no URL", func(string) string { return "" }, all},
		{"every URL", env(""), nil},
		{"every URL but the last service's", env(all[len(all)-1]), all[len(all)-1:]},
		{"every URL but orders'", env(downstream.Orders), []downstream.Service{downstream.Orders}},
	}
	for _, tt := range tests {
		c, err := Parse(nil, tt.getenv, io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := c.Simulated(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Simulated() = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// -optional-fields takes exactly the Dashboard fields a service backs.
func TestOptionalFieldsAreTheDeclaredOnes(t *testing.T) {
	for _, f := range contract.FieldsOf("Dashboard") {
		c, err := Parse([]string{"-optional-fields", f + "=100ms"}, func(string) string { return "" }, io.Discard)
		if err != nil || c.Budgets[f] != 100*time.Millisecond {
			t.Errorf("-optional-fields %s=100ms: %v, %v; want it", f, c.Budgets, err)
		}
	}
	for _, f := range []string{"product", "userId", "shipment"} {
		_, err := Parse([]string{"-optional-fields", f + "=100ms"}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), strings.Join(contract.FieldsOf("Dashboard"), ", ")) {
			t.Errorf("-optional-fields %s=100ms: %v; want an error listing the Dashboard fields", f, err)
		}
	}
}

// Once any service has a URL, every other one needs a URL or a place in
// -simulate: a mistyped variable (ORDER_URL) or a forgotten one does not
// quietly serve simulated data.
func TestSimulateRequired(t *testing.T) {
	others := "profile,catalog,recommendations,notifications,wallet,shipping"
	for _, tt := range []struct {
		name      string
		env       map[string]string
		wantErr   string // "" for none
		simulated string // Simulated(), comma-separated, when no error
	}{
		{"no URL", nil, "", "profile,orders,catalog,recommendations,notifications,wallet,shipping"},
		{"one URL", map[string]string{"ORDERS_URL": "http://orders:1"},
			"services without a URL: profile, catalog, recommendations, notifications, wallet, shipping; other services have one, so give theirs (PROFILE_URL, CATALOG_URL, RECOMMENDATIONS_URL, NOTIFICATIONS_URL, WALLET_URL, SHIPPING_URL, or the -<service>-url flags), or simulate them on purpose with -simulate=" + others + " (SIMULATE)", ""},
		{"one URL, the others named", map[string]string{"ORDERS_URL": "http://orders:1", "SIMULATE": others}, "", others},
		{"one URL, all", map[string]string{"ORDERS_URL": "http://orders:1", "SIMULATE": "all"}, "", others},
		{"one URL, some named", map[string]string{"ORDERS_URL": "http://orders:1", "SIMULATE": "profile, Catalog"}, "services without a URL: recommendations, notifications, wallet, shipping;", ""},
		{"named with a URL", map[string]string{"ORDERS_URL": "http://orders:1", "SIMULATE": others + ",orders"}, "-simulate (SIMULATE) names orders, which have a URL", ""},
		{"unknown service", map[string]string{"SIMULATE": "order"}, `-simulate (SIMULATE) "order": no such service`, ""},
		{"all without URLs", map[string]string{"SIMULATE": "all"}, "", "profile,orders,catalog,recommendations,notifications,wallet,shipping"},
	} {
		c, err := Parse(nil, func(k string) string { return tt.env[k] }, io.Discard)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v; want one with %q", tt.name, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		default:
			var got []string
			for _, s := range c.Simulated() {
				got = append(got, string(s))
			}
			if strings.Join(got, ",") != tt.simulated {
				t.Errorf("%s: Simulated() = %v; want %s", tt.name, got, tt.simulated)
			}
		}
	}
}

// A wrong value gets its error alone, without the usage; -h prints the
// usage, with each duration flag's type named.
func TestUsageOnlyOnHelp(t *testing.T) {
	var out strings.Builder
	if _, err := Parse([]string{"-deadline=1.5"}, func(string) string { return "" }, &out); err == nil || out.Len() > 0 {
		t.Errorf("-deadline=1.5: error %v, printed %d bytes; want an error and nothing printed", err, out.Len())
	}
	out.Reset()
	if _, err := Parse([]string{"-h"}, func(string) string { return "" }, &out); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v; want flag.ErrHelp", err)
	}
	for _, want := range []string{"-deadline duration", "-orders-url string", "-simulate string", "MAX_BODY_BYTES"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h lacks %q", want)
		}
	}
}
