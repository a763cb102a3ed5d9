package gatewaytest

import (
	"net"
	"sync"
	"testing"
)

// BlackholeAddr returns a loopback address that accepts connections and
// never answers on them, until the test ends: a service or a store that
// hangs.
func BlackholeAddr(tb testing.TB) string {
	tb.Helper()
	ln := listenLoopback(tb)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// listenLoopback listens on a free loopback port.
func listenLoopback(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}
