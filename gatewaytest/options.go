package gatewaytest

import (
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/overload"
	"github.com/acme/dashboard-gateway/simulator"
)

// Options are what a test changes in the default configuration
// (config.Default) and around it. The zero value is the default gateway in
// front of healthy simulated services.
type Options struct {
	// Behaviors sets how each simulated service (simulator.Orders, ...)
	// behaves. Default: every service healthy, answering at once.
	Behaviors map[string]simulator.Behavior
	// Failing names simulated services that answer 500 to every call, over
	// Behaviors. Default: none.
	Failing []string
	// Deadline is the request-wide deadline. Default: config.Default's
	// (1.5 s).
	Deadline time.Duration
	// URLs are configured service URLs that take the place of the
	// simulator's. Default: none, every service is the simulator's.
	URLs map[downstream.Service]string
	// Policy is every service's settings, in downstream.ParseSpec's
	// syntax. Default: "", the defaults.
	Policy string
	// Policies are per-service settings, applied over Policy. Default: none.
	Policies map[downstream.Service]string
	// Budgets are the optional fields' budgets. Default: nil, none (unlike
	// run), so tests see every field waited for.
	Budgets map[string]time.Duration
	// Dashboards, when set, replaces the dashboards built from the
	// configuration. Default: nil, those of the configuration.
	Dashboards dashboard.Builder
	// TrustedDocuments is the path of a persisted-documents manifest
	// (-trusted-documents): only its operations run. Default: "", off.
	TrustedDocuments string
	// Bench turns off the simulator's call log and logs only warnings, as
	// both would grow without bound in a benchmark. Default: false.
	Bench bool
	// Tracing is the gateway's tracing. Default: nil, tracing off.
	Tracing *observability.Tracing
	// Timing lets clients ask for field timings. Default: false.
	Timing bool
	// NoMetrics turns metrics off entirely (to measure their cost); then
	// Gateway.Registry is nil. Default: false, metrics in a fresh registry.
	NoMetrics bool
	// Edit, when set, makes the last changes to the configuration, after
	// every other option. Default: nil.
	Edit func(*config.Config)
	// Overload, when set, replaces the limiter built from the
	// configuration. Default: nil; the configuration's target is 0, so
	// nothing is shed on a busy test machine.
	Overload *overload.Limiter
	// SDL is served at GET /schema.graphqls while introspection is on.
	// Default: nil.
	SDL []byte
	// Server is the HTTP server's protections. Default: the zero
	// gateway.ServerConfig.
	Server gateway.ServerConfig
	// ReplicaOf, when set, makes this gateway another replica in front of
	// that gateway's simulator, which this one does not stop. Default:
	// nil, a simulator of its own.
	ReplicaOf *Gateway
}
