// Package redistest runs a real redis-server on a loopback port for
// tests, installing it with apt-get when it is missing. It fails the test,
// never skips it, when it cannot start one. It is for tests only.
package redistest

import (
	"bufio"
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

// startTimeout bounds how long redis-server may take to accept
// connections.
const startTimeout = 10 * time.Second

var installOnce sync.Once // one apt-get per test binary

// Server is a redis-server listening on 127.0.0.1, without persistence.
type Server struct {
	// Addr is its host:port.
	Addr string

	tb  testing.TB
	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts a redis-server on a free loopback port and stops it when
// the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	binary := install(tb)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("redistest: find a free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close() // redis-server takes the port; another process could, rarely
	s := &Server{Addr: addr, tb: tb}
	s.start(binary)
	tb.Cleanup(s.Stop)
	return s
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

// Restart starts the server again, empty, on the same port.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start(install(s.tb))
}

// start runs redis-server on s.Addr and waits until it accepts
// connections (it says so on its standard output).
func (s *Server) start(binary string) {
	s.tb.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(binary, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--loglevel", "notice", "--dir", s.tb.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.tb.Fatalf("redistest: %v", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("redistest: start %s: %v", binary, err)
	}
	ready := make(chan error, 1)
	go func() { // ends when redis-server exits and its output closes
		lines := bufio.NewScanner(out)
		var seen []string
		for lines.Scan() {
			if strings.Contains(lines.Text(), "Ready to accept connections") {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
			seen = append(seen, lines.Text())
		}
		ready <- fmt.Errorf("exited before it was ready:\n%s", strings.Join(seen, "\n"))
	}()
	select {
	case err = <-ready:
	case <-time.After(startTimeout):
		err = fmt.Errorf("not ready after %v", startTimeout)
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s.tb.Fatalf("redistest: redis-server on port %s: %v", port, err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
}

// install returns the path of redis-server, installing it with apt-get
// when it is not on the PATH.
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
