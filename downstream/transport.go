package downstream

import (
	"net"
	"net/http"
	"time"
)

// NewTransport returns the http.Transport every downstream client shares,
// tuned for thousands of concurrent calls to a handful of hosts: idle
// connections are kept per host instead of the standard library's 2, so a
// burst does not turn into a storm of new connections and TIME_WAITs.
// Nothing here times a call out: each call's context carries the deadline.
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           0, // no global cap; the per-host cap below bounds it
		MaxIdleConnsPerHost:    1024,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    2 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// NewH2CTransport returns the transport shared by services configured for
// h2c: HTTP/2 without TLS, with prior knowledge, so many concurrent calls to
// one service share a few connections.
func NewH2CTransport() *http.Transport {
	t := NewTransport()
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	t.Protocols = &p
	return t
}
