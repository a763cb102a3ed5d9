// Package downstream calls the REST services behind the gateway as
// docs/contract.md (The downstream services) describes them and
// contract.Services declares them: which services there are, and the paths
// and query parameters of their endpoints, come from that declaration. Each
// service has one file here with its name (a Service), wire types, enum
// values, response validation, typed method, and the schema's models
// (graph/model) its answers become. What they share has a file each: this
// one configures the clients; call.go makes one call (the contract's headers, capping and
// decoding the answer, turning every failure into an *Error); endpoints.go
// builds the URLs of the contract's two kinds of endpoint, a batch of ids
// and a user's resource.
//
// Every call goes through its service's resilience layers (package
// resilience: timeouts, retries, breaker, bulkhead, hedging, sharing of
// identical calls). Batching and per-request caching belong to the loaders.
package downstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
)

// Service names a downstream service, one of contract.Services. The names
// are part of the client contract: they appear as extensions.service in
// GraphQL errors. Each service's file names its own, for its typed method
// and for the callers that name the service (the loaders' errors, the
// catalog's items being products).
type Service string

// Services returns every downstream service contract.Services declares, in
// its order.
func Services() []Service {
	decl := contract.Services()
	out := make([]Service, len(decl))
	for i, s := range decl {
		out[i] = Service(s.Name)
	}
	return out
}

// Headers the gateway sends on every downstream call (besides X-Request-Id).
const (
	// TimeoutHeader carries the budget left for the call in whole milliseconds.
	TimeoutHeader = "X-Timeout-Ms"
	// SubjectHeader carries the authenticated caller's subject (the token's
	// "sub"), when authentication is on.
	SubjectHeader = "X-Auth-Subject"
)

// DefaultMaxBodyBytes caps a response body when Config.MaxBodyBytes is zero.
// The largest legitimate answer (100 products) is about 25 KiB.
const DefaultMaxBodyBytes = 1 << 20

// ServiceConfig is where one service is and how to call it.
type ServiceConfig struct {
	// URL is the service's base URL, e.g. http://orders:8080. Required.
	URL string
	// H2C speaks HTTP/2 without TLS (prior knowledge) to the service, so
	// thousands of concurrent calls share a few connections. Default off.
	H2C bool
	// Policy is the resilience policy of calls to the service; the zero
	// value is resilience's defaults.
	Policy resilience.Policy
	// Cache is whether the service's good answers are kept and served
	// again (Config.Cache keeps them); the zero value keeps none.
	Cache cache.Policy
}

// Config says where the services are and how to reach them.
type Config struct {
	// Services configures every service. Every one of Services is
	// required.
	Services map[Service]ServiceConfig
	// MaxBodyBytes caps each response body; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Observer hears the resilience layers' decisions; nil discards them.
	Observer resilience.Observer
	// Calls hears every call and attempt, for metrics and Server-Timing;
	// nil discards them.
	Calls CallObserver
	// TracerProvider, when set, traces every call (a span per call, a
	// client span per attempt) and sends W3C trace context (traceparent)
	// with Propagator. Nil: no tracing and no trace headers.
	TracerProvider trace.TracerProvider
	Propagator     propagation.TextMapPropagator
	// Caller returns the authenticated caller's subject, to forward in
	// SubjectHeader and to keep shared calls per caller; nil (or "") means
	// there is none.
	Caller func(context.Context) string
	// Client names the client a call is made for (its subject, else its
	// address), so that neither one client nor one of its requests can
	// hold more than its share of a service's calls in flight
	// (resilience.Policy.MaxShare); nil (or "") means clients are not told
	// apart, and only requests are.
	Client func(context.Context) string
	// Busy reports whether the gateway itself is overloaded now (package
	// overload): its timeouts then blame no service (resilience.Options.Busy).
	// Nil: never.
	Busy func() bool
	// Cache keeps the answers of the services whose ServiceConfig.Cache
	// says so. Nil: a cache in memory with its defaults, made when some
	// service's policy keeps answers.
	Cache *cache.Cache
	// Transport and H2CTransport carry the calls to HTTP/1.1 and to h2c
	// services. Nil means NewTransport() and NewH2CTransport(), owned by
	// the Clients (see Close).
	Transport, H2CTransport http.RoundTripper
}

// CallObserver hears about calls to the services. Implementations must be
// safe for concurrent use and fast.
type CallObserver interface {
	// Call reports the time a caller waited for one call to service, from
	// its start to its answer or failure, retries and hedges included.
	Call(ctx context.Context, service Service, d time.Duration)
	// Attempt reports one HTTP attempt: how it ended ("ok", or a Kind's
	// name with underscores, e.g. "bad_status") and how long it took.
	Attempt(ctx context.Context, service Service, outcome string, d time.Duration)
}

// Clients calls the downstream services. It is safe for concurrent use; one
// value serves the whole process.
type Clients struct {
	byService map[Service]*client // one for each of Services
	owned     []*http.Transport
}

// New returns Clients for cfg, or an error naming the service whose
// configuration is missing or invalid.
func New(cfg Config) (*Clients, error) {
	c := Clients{byService: make(map[Service]*client)}
	transports := [2]http.RoundTripper{cfg.Transport, cfg.H2CTransport}
	for i, mk := range []func() *http.Transport{NewTransport, NewH2CTransport} {
		if transports[i] == nil {
			t := mk()
			c.owned = append(c.owned, t)
			transports[i] = t
		}
	}
	var tracer trace.Tracer
	if cfg.TracerProvider != nil {
		tracer = cfg.TracerProvider.Tracer("github.com/acme/dashboard-gateway/downstream")
	}
	kept := cfg.Cache
	for _, sc := range cfg.Services {
		if kept == nil && sc.Cache.On() {
			kept = cache.New(cache.Options{})
		}
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	mk := func(decl contract.Service) (*client, error) {
		s := Service(decl.Name)
		sc, ok := cfg.Services[s]
		if !ok || sc.URL == "" {
			return nil, fmt.Errorf("downstream: no URL for the %s service", s)
		}
		u, err := url.Parse(sc.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("downstream: %s service URL %q: want http(s)://host[:port][/path]", s, sc.URL)
		}
		if sc.H2C && u.Scheme != "http" {
			return nil, fmt.Errorf("downstream: %s service: h2c needs an http:// URL, not %q", s, sc.URL)
		}
		if err := sc.Policy.Validate(); err != nil {
			return nil, fmt.Errorf("downstream: %s service policy: %w", s, err)
		}
		rt := transports[0]
		if sc.H2C {
			rt = transports[1]
		}
		return &client{
			service:    s,
			decl:       decl,
			base:       strings.TrimSuffix(u.String(), "/"),
			rt:         rt,
			maxBody:    maxBody,
			calls:      cfg.Calls,
			tracer:     tracer,
			propagator: cfg.Propagator,
			server:     u.Hostname(),
			port:       port(u),
			caller:     cfg.Caller,
			cache:      kept,
			policy:     sc.Cache,
			res: resilience.NewService(string(s), sc.Policy, resilience.Options{
				Classify: classify,
				Observer: cfg.Observer,
				Callers:  callers(cfg.Client),
				Busy:     cfg.Busy,
			}),
		}, nil
	}
	for _, decl := range contract.Services() {
		cl, err := mk(decl)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.byService[cl.service] = cl
	}
	return &c, nil
}

// Close closes the idle connections of the transports the Clients made.
func (c *Clients) Close() {
	for _, t := range c.owned {
		t.CloseIdleConnections()
	}
}

// Resilience returns the resilience state of a service (breaker, in-flight
// count), for health reports and metrics.
func (c *Clients) Resilience(s Service) *resilience.Service {
	if cl := c.byService[s]; cl != nil {
		return cl.res
	}
	return nil
}

// of returns the client of s, one of the services New made clients for.
func (c *Clients) of(s Service) *client { return c.byService[s] }

// MaxIDs is the most ids one call to the batch endpoint of service s may
// carry, as contract.Services declares it (contract.MaxBatch when s has
// none).
func (c *Clients) MaxIDs(s Service) int {
	if cl := c.of(s); cl != nil {
		if e, ok := cl.decl.Endpoint(contract.Batch); ok {
			return e.MaxIDs
		}
	}
	return contract.MaxBatch
}

// callers names who makes a call, for the resilience layers' fair shares:
// its client, and its request (within its client, so that a request id a
// client chose cannot take another client's share).
func callers(client func(context.Context) string) func(context.Context) []string {
	return func(ctx context.Context) []string {
		c := ""
		if client != nil {
			c = client(ctx)
		}
		out := make([]string, 0, 2)
		if c != "" {
			out = append(out, "client "+c)
		}
		if id := requestid.FromContext(ctx); id != "" {
			out = append(out, "request "+c+" "+id)
		}
		return out
	}
}

// port is u's port, or its scheme's default.
func port(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}
