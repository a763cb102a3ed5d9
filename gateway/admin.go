package gateway

import (
	"io"
	"net/http"
	"net/http/pprof"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/acme/dashboard-gateway/apierror"
)

// Admin returns the operators' handler, for a listener of its own that is
// never public (run's -admin-addr): GET /metrics (opts.Gatherer), the Go
// profiler under /debug/pprof/, POST /admin/cache/invalidate?user=<id>
// (opts.Cache), and /healthz and /readyz as on the public handler. The
// profiler's handlers are registered here one by one; nothing is served
// from http.DefaultServeMux (to which importing net/http/pprof also adds
// them), and /debug/pprof/cmdline is not served: the command line may hold
// secrets.
//
// Every request must name the listener by an IP address, localhost or one
// of opts.AdminHosts in its Host (else 421: DNS rebinding), and the routes
// that change state take only application/json (else 415: cross-origin
// forms).
func Admin(opts Options) http.Handler {
	r := chi.NewRouter()
	r.Use(securityHeaders, adminHost(opts.AdminHosts))
	notFound := func(w http.ResponseWriter, _ *http.Request) {
		apierror.WriteHTTP(w, http.StatusNotFound, apierror.BadRequest, "no such route")
	}
	r.NotFound(notFound)
	probes(r, opts.Ready)
	if opts.Gatherer != nil {
		r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{}))
	}
	if opts.Cache != nil {
		r.With(nonSimple).Post("/admin/cache/invalidate", invalidate(opts.Cache, opts.Logger))
	}
	r.HandleFunc("/debug/pprof/*", pprof.Index)    // the index and the named profiles: heap, goroutine, allocs, block, mutex, threadcreate
	r.HandleFunc("/debug/pprof/cmdline", notFound) // the arguments may hold secrets (-auth-secret)
	r.HandleFunc("/debug/pprof/profile", pprof.Profile)
	r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	r.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return r
}

// probes serves /healthz (the process answers) and /readyz (it takes
// traffic: ready, unless ready says otherwise), to GET and HEAD.
func probes(r chi.Router, ready func() bool) {
	healthz := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	}
	readyz := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if ready != nil && !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":"draining"}`)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ready"}`)
	}
	for _, m := range []string{http.MethodGet, http.MethodHead} { // net/http sends no body for HEAD
		r.MethodFunc(m, "/healthz", healthz)
		r.MethodFunc(m, "/readyz", readyz)
	}
}
