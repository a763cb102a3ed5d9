//go:build !unix

package acceptance_test

import (
	"net"
	"testing"
)

// refusedAddr returns a loopback address where nothing listens: a closed
// listener's, which the system may give to another server meanwhile.
func refusedAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
