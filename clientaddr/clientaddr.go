// Package clientaddr works out, once per request, the address of the client
// a request came from, and carries it in the request's context for whatever
// keys on the client: rate limits, fairness, logs.
//
// The address is the connection's remote address, unless the connection
// comes from a trusted proxy (a configured list of address ranges) and a
// client address header is configured (such as X-Forwarded-For). Then the
// header's comma-separated entries, from every occurrence of the header in
// order, are walked from the right: entries inside the trusted ranges are
// proxies and are skipped, and the first entry outside them is the client.
// Everything to its left was written by the client itself and is ignored, so
// a client cannot choose its own address by sending the header: it can only
// add entries to the left of the one its proxy appends.
//
//   - An entry may be an IPv4 or IPv6 address, optionally with a port
//     ("192.0.2.1:443", "[2001:db8::1]:443") or in brackets ("[2001:db8::1]"),
//     as some proxies write them; the port is dropped. Empty entries are
//     skipped.
//   - An entry met on the walk that is not an address ("unknown", an
//     obfuscated name, garbage) makes the header untrustworthy: the client
//     address is then the connection's, the proxy's. Every client behind that
//     proxy then shares one address, which errs on the side of stricter
//     limits rather than letting anyone pick a key.
//   - When every entry is a trusted address, the left-most is the client (as
//     nginx's real_ip_recursive does): the request came from inside the
//     trusted ranges.
//
// Addresses are normalized: IPv4-mapped IPv6 (::ffff:192.0.2.1) becomes
// plain IPv4, and IPv6 zones are dropped, so one client has one address and
// a trusted range cannot be dodged by writing an address another way.
//
// It does not read the Forwarded header of RFC 7239 (its syntax differs),
// does not authenticate proxies beyond their connection's address, and does
// not group addresses (rate limits may key IPv6 clients on their /64).
package clientaddr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds the client address of requests. The zero Resolver trusts
// no proxy: the address is always the connection's.
type Resolver struct {
	trusted []netip.Prefix
	header  string // canonical form; "" means the connection's address
}

// New returns a Resolver that reads the client address from header when the
// connection comes from an address inside one of the trusted prefixes.
// Both empty means the connection's address, always. A header without
// trusted prefixes is an error (any client could set it), as are trusted
// prefixes without a header (they would do nothing), a prefix of length 0
// (it trusts everyone), and the Forwarded header (not supported).
func New(trusted []netip.Prefix, header string) (*Resolver, error) {
	header = strings.TrimSpace(header)
	switch {
	case header == "" && len(trusted) == 0:
		return &Resolver{}, nil
	case header == "":
		return nil, errors.New("trusted proxies are set but no client address header: name the header the proxies set (e.g. X-Forwarded-For)")
	case len(trusted) == 0:
		return nil, fmt.Errorf("client address header %s is set but no trusted proxies: any client could set it; list the proxies' address ranges", header)
	case !validHeaderName(header):
		return nil, fmt.Errorf("client address header %q: want a header name such as X-Forwarded-For", header)
	case strings.EqualFold(header, "Forwarded"):
		return nil, errors.New("the Forwarded header (RFC 7239) is not supported: use X-Forwarded-For")
	}
	res := &Resolver{header: http.CanonicalHeaderKey(header)}
	for _, p := range trusted {
		if !p.IsValid() {
			return nil, errors.New("trusted proxies: invalid prefix")
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("trusted proxies: %s trusts every address, so any client could set the header", p)
		}
		res.trusted = append(res.trusted, p.Masked())
	}
	return res, nil
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes
// ("10.0.0.0/8, 2001:db8::/32"); a bare address is a prefix of that one
// address (/32 or /128). Blank entries are skipped; "" is no prefix.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q: want a CIDR prefix (10.0.0.0/8) or an address", s)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q: want a CIDR prefix (10.0.0.0/8) or an address", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 { // addresses are compared unmapped
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Resolve returns the client address of r by the rules of the package
// documentation, or the zero Addr when r.RemoteAddr is not an IP address
// (e.g. a Unix socket).
func (res *Resolver) Resolve(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if res.header == "" || !peer.IsValid() || !res.isTrusted(peer) {
		return peer
	}
	values := r.Header.Values(res.header)
	var leftmost netip.Addr
	for i := len(values) - 1; i >= 0; i-- {
		rest := values[i]
		for rest != "" {
			entry := rest
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				rest = ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, ok := parseEntry(entry)
			if !ok {
				return peer
			}
			if !res.isTrusted(a) {
				return a
			}
			leftmost = a
		}
	}
	if leftmost.IsValid() {
		return leftmost
	}
	return peer // no header: the proxy made the request itself
}

// Middleware puts the client address of each request in its context (see
// FromContext) and calls next.
func (res *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := res.Resolve(r); a.IsValid() {
			r = r.WithContext(NewContext(r.Context(), a))
		}
		next.ServeHTTP(w, r)
	})
}

type ctxKey struct{}

// NewContext returns ctx carrying addr.
func NewContext(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, ctxKey{}, addr)
}

// FromContext returns the client address in ctx and true, or the zero Addr
// and false when there is none (the request did not pass through
// Middleware, or its connection has no IP address). The address is
// normalized: IPv4 never appears as IPv4-mapped IPv6, and has no zone.
func FromContext(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(ctxKey{}).(netip.Addr)
	return a, ok && a.IsValid()
}

func (res *Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range res.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteAddr parses the connection's "host:port" (or a bare address, as
// tests sometimes set it).
func remoteAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return normalize(a)
}

// parseEntry parses one header entry: an address, "ipv4:port",
// "[ipv6]:port" or "[ipv6]".
func parseEntry(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return normalize(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return normalize(ap.Addr()), true
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
				return normalize(a), true
			}
		}
	}
	return netip.Addr{}, false
}

func normalize(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

// validHeaderName reports whether s is a header field name (an RFC 9110
// token).
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
