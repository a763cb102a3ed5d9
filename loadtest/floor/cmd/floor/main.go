// Command floor serves the hand-written fan-out of package floor for the
// load tests: GET /dashboard/{userId}, and GET /metrics with the process's
// allocation counters in Prometheus's text format, as the gateway's admin
// listener has them, and /debug/pprof/ for profiles beside the gateway's. The services' base URLs come from <NAME>_URL for
// each of contract.Services (PROFILE_URL, ...), as cmd/simulator prints
// them; FLOOR_ADDR is where to listen (default 127.0.0.1:0); the address
// listened on is printed on stdout. It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/loadtest/floor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	urls := map[string]string{}
	for _, s := range contract.Services() {
		urls[s.Name] = os.Getenv(strings.ToUpper(s.Name) + "_URL")
	}
	addr := os.Getenv("FLOOR_ADDR")
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/dashboard/", floor.Handler{URLs: urls, Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(w, "go_memstats_mallocs_total %d\ngo_memstats_alloc_bytes_total %d\n", m.Mallocs, m.TotalAlloc)
	})
	srv := &http.Server{Handler: mux}
	fmt.Println("FLOOR_URL=http://" + ln.Addr().String())
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
