package redistest

import (
	"errors"
	"net"
	"testing"
)

// A port another process took is errPortTaken, for launch to try another.
func TestStartOnTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	s := &Server{Addr: l.Addr().String(), tb: t, ready: readyLine,
		args: func(port string) []string { return serverArgs(port, dir) }}
	t.Cleanup(s.Stop)
	if err := s.start(install(t)); !errors.Is(err, errPortTaken) {
		t.Errorf("start on %s, taken: got %v; want errPortTaken", s.Addr, err)
	}
}
