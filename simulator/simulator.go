package simulator

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/acme/dashboard-gateway/contract"
)

// ErrClosed is returned by [Simulator.Start] after [Simulator.Close].
var ErrClosed = errors.New("simulator: closed")

// Options configure a [Simulator]. The zero value is every service healthy
// with no delay, no call log and no header checks.
type Options struct {
	// Seed seeds the random choices: latency draws, fault-rate draws and
	// the order of batch answers. Every service draws from its own stream,
	// seeded by Seed and the service's place in [Services], so with a
	// fixed seed the draws one service sees depend only on the order of
	// its own calls, never on calls to the others; the generated data never
	// depends on it. The choices made per call or per id
	// ([Behavior.FaultPerCall], [Behavior.AbsentShare]) hash it with
	// what the call asks instead, and draw nothing. Default 0.
	Seed uint64
	// Behaviors sets the behaviour per service name. A missing service is
	// healthy with no delay; an unknown name makes New panic.
	Behaviors map[string]Behavior
	// Record keeps a log of every call for [Simulator.Calls]. Off by
	// default so that a long-running demo does not grow.
	Record bool
	// RequireHeaders answers 400 {"error":"..."} when X-Request-Id is
	// missing or X-Timeout-Ms is not an integer >= 1, the headers the
	// contract says the gateway always sends. Off by default. Either way
	// a valid X-Timeout-Ms bounds how long a call is worked on; see
	// [TimeoutGrace].
	RequireHeaders bool
	// Logger receives start-up lines at Info and one line per call at
	// Debug. Nil discards.
	Logger *slog.Logger
}

// Simulator serves the simulated downstream services. Create it with
// [New]; serve it with [Simulator.Start] or mount [Simulator.Handler]
// yourself; always [Simulator.Close] it. All methods are safe for
// concurrent use.
type Simulator struct {
	logger         *slog.Logger
	record         bool
	requireHeaders bool
	seed           uint64                      // Options.Seed, for the choices made per call or id
	decls          map[string]contract.Service // each service's declaration; read-only after New
	stop           chan struct{}               // closed by Close: releases hangs and trickles

	mu        sync.Mutex // guards the fields below, the services' streams included
	closed    bool
	behaviors map[string]Behavior
	services  map[string]*serviceState
	changed   chan struct{} // closed and replaced on every stats change
	servers   []*http.Server

	handlers sync.WaitGroup // handler calls in flight; Add only under mu while !closed
	serving  sync.WaitGroup // Serve goroutines; Add only under mu while !closed
}

// New returns a Simulator configured by opts. It serves nothing until
// [Simulator.Start] is called or a [Simulator.Handler] is mounted.
// It panics if opts.Behaviors names an unknown service.
func New(opts Options) *Simulator {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Simulator{
		logger:         logger,
		record:         opts.Record,
		requireHeaders: opts.RequireHeaders,
		seed:           opts.Seed,
		decls:          make(map[string]contract.Service),
		stop:           make(chan struct{}),
		behaviors:      make(map[string]Behavior, len(opts.Behaviors)),
		services:       make(map[string]*serviceState),
		changed:        make(chan struct{}),
	}
	for i, decl := range contract.Services() {
		s.decls[decl.Name] = decl
		s.services[decl.Name] = &serviceState{rng: newStream(opts.Seed, i)}
	}
	for svc, b := range opts.Behaviors {
		mustKnow(svc)
		s.behaviors[svc] = b
	}
	return s
}

// mustKnow panics unless svc is one of [Services]: a wrong name is a
// programming error that would otherwise silently yield a healthy service.
func mustKnow(svc string) {
	if serviceIndex(svc) < 0 {
		panic(fmt.Sprintf("simulator: unknown service %q", svc))
	}
}

// newStream returns the random stream of service i of [Services]: a PCG
// of its own, its state seeded by seed and spread apart by i.
func newStream(seed uint64, i int) *rand.Rand {
	const salt, spread = 0x5bd1e9955bd1e995, 0x9e3779b97f4a7c15
	return rand.New(rand.NewPCG(seed, salt+uint64(i)*spread))
}

// SetBehavior changes how a service behaves. It is safe while serving and
// applies to calls that start afterwards, which are also the first ones
// [Behavior.FaultCalls] counts. It panics on an unknown service.
func (s *Simulator) SetBehavior(service string, b Behavior) {
	mustKnow(service)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviors[service] = b
	s.services[service].planned = 0
}

// Behavior returns the current behaviour of a service.
func (s *Simulator) Behavior(service string) Behavior {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.behaviors[service]
}

// Start serves the named services, all of them when none are named, on host,
// one listener each. Every listener speaks HTTP/1.1 and h2c with prior
// knowledge on the same port. With basePort 0 the ports are free ones the
// system picks; otherwise service i of [Services] listens on basePort+i.
// Start returns the base URLs, like "http://127.0.0.1:40123", keyed by
// service. On error nothing is left listening. Start may be called more
// than once; [Simulator.Close] stops everything it started.
func (s *Simulator) Start(host string, basePort int, services ...string) (map[string]string, error) {
	if len(services) == 0 {
		services = Services()
	}
	if basePort < 0 || basePort > MaxBasePort() {
		return nil, fmt.Errorf("simulator: start: base port %d out of range", basePort)
	}
	seen := make(map[string]bool, len(services))
	for _, svc := range services {
		if serviceIndex(svc) < 0 || seen[svc] {
			return nil, fmt.Errorf("simulator: start: unknown or repeated service %q", svc)
		}
		seen[svc] = true
	}
	lns := make([]net.Listener, 0, len(services))
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	for _, svc := range services {
		port := 0
		if basePort != 0 {
			port = basePort + serviceIndex(svc)
		}
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("simulator: start %s on %s: %w", svc, addr, err)
		}
		lns = append(lns, ln)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		closeAll()
		return nil, ErrClosed
	}
	urls := make(map[string]string, len(services))
	for i, svc := range services {
		ln, srv := lns[i], s.newServer(svc)
		s.servers = append(s.servers, srv)
		s.serving.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				s.logger.Error("simulator: serve failed", "service", svc, "err", err)
			}
		})
		urls[svc] = baseURL(host, ln.Addr())
		s.logger.Info("simulator: serving", "service", svc, "url", urls[svc])
	}
	return urls, nil
}

// newServer returns the server of one service, speaking HTTP/1.1 and h2c.
// It has no write timeout: hanging and trickling are what it is for.
func (s *Simulator) newServer(svc string) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           s.Handler(svc),
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug),
	}
}

// baseURL returns the URL clients use to reach a listener on host: an
// unspecified host (all interfaces) is reached through loopback.
func baseURL(host string, addr net.Addr) string {
	_, port, _ := net.SplitHostPort(addr.String())
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Close releases every hanging or trickling handler, closes the servers
// [Simulator.Start] started and their connections, and waits until every
// handler and serving goroutine has returned. Released handlers abort
// their connection, so their callers see an error rather than an answer.
// Calls arriving afterwards (on handlers mounted elsewhere) get 503.
// Close is idempotent.
func (s *Simulator) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()

	for _, srv := range servers {
		srv.Close()
	}
	s.handlers.Wait()
	s.serving.Wait()
}
