// Package redistest runs real Redis servers on loopback ports for tests:
// one redis-server (Start), a Redis Cluster (StartCluster), or a master
// watched by a sentinel (StartSentinel), installing redis-server with
// apt-get when it is missing. It fails the test, never skips it, when it
// cannot start one. It is for tests only.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// startTimeout bounds how long redis-server may take to accept
	// connections.
	startTimeout = 10 * time.Second
	// portAttempts is how many free ports a server is started on before
	// the test fails: another process may take the port picked before
	// redis-server binds it.
	portAttempts = 5
	// readyLine is what redis-server logs once it accepts connections.
	readyLine = "Ready to accept connections"
)

// errPortTaken is returned, wrapped, when redis-server could not bind
// its port.
var errPortTaken = errors.New("port taken")

var installOnce sync.Once // one apt-get per test binary

// Server is a redis-server listening on 127.0.0.1, without persistence.
type Server struct {
	// Addr is its host:port.
	Addr string

	tb    testing.TB
	args  func(port string) []string // redis-server's arguments for a port
	ready string                     // the log line saying it accepts connections
	mu    sync.Mutex
	cmd   *exec.Cmd
}

// Start starts a redis-server on a free loopback port, with more
// arguments if any (e.g. "--maxmemory", "4mb"), and stops it when the
// test ends.
func Start(tb testing.TB, more ...string) *Server {
	tb.Helper()
	dir := tb.TempDir()
	return launch(tb, func(port string) []string { return serverArgs(port, dir, more...) }, readyLine)
}

// serverArgs are the arguments of a redis-server on port, in dir, with
// more after them.
func serverArgs(port, dir string, more ...string) []string {
	return append([]string{"--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--loglevel", "notice", "--dir", dir}, more...)
}

// launch starts redis-server with args on a free loopback port, and on
// another when that one was taken before redis-server could bind it; it
// stops it when the test ends.
func launch(tb testing.TB, args func(port string) []string, ready string) *Server {
	tb.Helper()
	s := &Server{tb: tb, args: args, ready: ready}
	binary := install(tb)
	for attempt := 1; ; attempt++ {
		s.Addr = freeAddr(tb)
		err := s.start(binary)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			tb.Fatalf("redistest: %v (attempt %d)", err, attempt)
		}
		tb.Logf("redistest: %v; trying another port", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// freeAddr returns a loopback address no process listens on, for now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("redistest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// freePort is the port of freeAddr.
func freePort(tb testing.TB) string {
	tb.Helper()
	_, port, _ := net.SplitHostPort(freeAddr(tb))
	return port
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Stop kills the server (SIGKILL, as a crash would) and waits for it to
// exit; it does nothing when the server is stopped.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again, empty, on the same port; the test
// fails if another process took the port meanwhile.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(install(s.tb)); err != nil {
		s.tb.Fatalf("redistest: restart: %v", err)
	}
}

// start runs redis-server on s.Addr and waits until it accepts
// connections (it says so on its standard output). The error wraps
// errPortTaken when the port was taken.
func (s *Server) start(binary string) error {
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(binary, s.args(port)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", binary, err)
	}
	ready := make(chan error, 1)
	go func() { // ends when redis-server exits and its output closes
		lines := bufio.NewScanner(out)
		var seen []string
		for lines.Scan() {
			if strings.Contains(lines.Text(), s.ready) {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
			seen = append(seen, lines.Text())
		}
		err := errors.New("exited before it was ready")
		if strings.Contains(strings.Join(seen, "\n"), "Address already in use") {
			err = errPortTaken
		}
		ready <- fmt.Errorf("%w:\n%s", err, strings.Join(seen, "\n"))
	}()
	select {
	case err = <-ready:
	case <-time.After(startTimeout):
		err = fmt.Errorf("not ready after %v", startTimeout)
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("redis-server on port %s: %w", port, err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	return nil
}

// install returns the path of redis-server, installing it with apt-get
// when it is not on the PATH. Debian's redis-server runs as a sentinel
// too (--sentinel).
func install(tb testing.TB) string {
	tb.Helper()
	if path, err := exec.LookPath("redis-server"); err == nil {
		return path
	}
	var out []byte
	var err error
	installOnce.Do(func() {
		out, err = exec.Command("apt-get", "install", "-y", "--no-install-recommends", "redis-server").CombinedOutput()
		if err != nil {
			out = append(out, []byte("\napt-get failed; running apt-get update and trying again\n")...)
			_ = exec.Command("apt-get", "update").Run()
			var again []byte
			again, err = exec.Command("apt-get", "install", "-y", "--no-install-recommends", "redis-server").CombinedOutput()
			out = append(out, again...)
		}
	})
	path, lookErr := exec.LookPath("redis-server")
	if lookErr != nil {
		tb.Fatalf("redistest: redis-server is missing and apt-get could not install it (%v): %s", err, tail(out))
	}
	return path
}

// tail is the end of out, for a failure message.
func tail(out []byte) string {
	const n = 2000
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strconv.Quote(string(out))
}
