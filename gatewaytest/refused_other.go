//go:build !unix

package gatewaytest

import "testing"

// RefusedAddr returns a loopback address where nothing listens: a closed
// listener's, which the system may give to another server meanwhile.
func RefusedAddr(tb testing.TB) string {
	tb.Helper()
	ln := listenLoopback(tb)
	defer ln.Close()
	return ln.Addr().String()
}
