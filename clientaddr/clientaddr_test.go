package clientaddr_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/clientaddr"
)

func mustResolver(tb testing.TB, trusted, header string) *clientaddr.Resolver {
	tb.Helper()
	prefixes, err := clientaddr.ParsePrefixes(trusted)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := clientaddr.New(prefixes, header)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestResolve(t *testing.T) {
	const lb = "10.0.0.0/8, 2001:db8:1::/48"
	tests := []struct {
		name    string
		trusted string // "" with header "": the zero configuration
		header  string
		peer    string   // r.RemoteAddr
		values  []string // X-Forwarded-For lines, in order
		want    string   // "" means the zero Addr
	}{
		{"no proxy configured: the connection", "", "", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"untrusted peer: header ignored", lb, "X-Forwarded-For", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"trusted peer, one hop", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed first hop is ignored", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"trusted hops are skipped", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.1, 10.1.1.1, 10.2.2.2"}, "198.51.100.1"},
		{"every header line, in order", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.1", "10.1.1.1"}, "198.51.100.1"},
		{"the last line counts first", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1", "6.6.6.6"}, "6.6.6.6"},
		{"header named in any case", lb, "x-forwarded-for", "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"no header from a trusted peer: the peer", lb, "X-Forwarded-For", "10.0.0.2:5000", nil, "10.0.0.2"},
		{"every entry trusted: the left-most", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"garbage on the walk: the peer", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1, unknown"}, "10.0.0.2"},
		{"garbage after trusted hops: the peer", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1, bogus, 10.1.1.1"}, "10.0.0.2"},
		{"garbage left of the client is never read", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"<script>, 198.51.100.1"}, "198.51.100.1"},
		{"a hostname is not an address", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"client.example.com"}, "10.0.0.2"},
		{"empty entries skipped", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1, , ", ""}, "198.51.100.1"},
		{"IPv4 with a port", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"IPv6", lb, "X-Forwarded-For", "[2001:db8:1::5]:5000", []string{"2001:db8:2::7"}, "2001:db8:2::7"},
		{"IPv6 in brackets with a port", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"[2001:db8:2::7]:443"}, "2001:db8:2::7"},
		{"IPv6 in brackets", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"[2001:db8:2::7]"}, "2001:db8:2::7"},
		{"IPv4-mapped IPv6 cannot dodge a trusted range", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1, ::ffff:10.1.1.1"}, "198.51.100.1"},
		{"IPv4-mapped client becomes IPv4", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"a zone cannot dodge a trusted range", lb, "X-Forwarded-For", "10.0.0.2:5000", []string{"198.51.100.1, 2001:db8:1::9%eth0"}, "198.51.100.1"},
		{"IPv4-mapped peer is trusted as IPv4", lb, "X-Forwarded-For", "[::ffff:10.0.0.2]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"peer that is not an IP", lb, "X-Forwarded-For", "@", []string{"198.51.100.1"}, ""},
		{"other header", "10.0.0.2", "X-Real-Ip", "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustResolver(t, tt.trusted, tt.header)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			name := tt.header
			if name == "" {
				name = "X-Forwarded-For"
			}
			for _, v := range tt.values {
				r.Header.Add(name, v) // canonicalizes the name, as a server does
			}
			got := res.Resolve(r)
			if want := addrOrZero(t, tt.want); got != want {
				t.Errorf("peer %s, %s %q: got %v; want %v", tt.peer, tt.header, tt.values, got, want)
			}
		})
	}
}

func addrOrZero(tb testing.TB, s string) netip.Addr {
	tb.Helper()
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

// Over real HTTP the peer is loopback: trusted, the header decides; not
// trusted, the header is ignored. Handlers read the address with
// FromContext.
func TestMiddleware(t *testing.T) {
	tests := []struct {
		name    string
		trusted string
		header  []string
		want    string
	}{
		{"peer not trusted: spoofed header ignored", "10.0.0.0/8", []string{"198.51.100.1"}, "127.0.0.1"},
		{"peer trusted: right-most untrusted entry", "127.0.0.0/8", []string{"6.6.6.6, 198.51.100.1, 127.0.0.9"}, "198.51.100.1"},
		{"peer trusted, two header lines", "127.0.0.0/8", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		{"peer trusted, invalid entry: the peer", "127.0.0.0/8", []string{"198.51.100.1, not-an-ip"}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustResolver(t, tt.trusted, "X-Forwarded-For")
			srv := httptest.NewServer(res.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				a, ok := clientaddr.FromContext(r.Context())
				if !ok {
					http.Error(w, "no client address", http.StatusInternalServerError)
					return
				}
				_, _ = io.WriteString(w, a.String())
			})))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			for _, v := range tt.header {
				req.Header.Add("X-Forwarded-For", v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != tt.want {
				t.Errorf("X-Forwarded-For %q: got %s; want %s", tt.header, body, tt.want)
			}
		})
	}
}

func TestFromContextWithout(t *testing.T) {
	if a, ok := clientaddr.FromContext(httptest.NewRequest(http.MethodGet, "/", nil).Context()); ok || a.IsValid() {
		t.Errorf("FromContext of a bare context: got %v, %v; want the zero Addr, false", a, ok)
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name, trusted, header, want string
	}{
		{"header without trusted proxies", "", "X-Forwarded-For", "no trusted proxies"},
		{"trusted proxies without a header", "10.0.0.0/8", "", "no client address header"},
		{"everyone trusted", "0.0.0.0/0", "X-Forwarded-For", "trusts every address"},
		{"everyone trusted, IPv6", "::/0", "X-Forwarded-For", "trusts every address"},
		{"Forwarded", "10.0.0.0/8", "Forwarded", "not supported"},
		{"not a header name", "10.0.0.0/8", "X Forwarded", "header name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefixes, err := clientaddr.ParsePrefixes(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := clientaddr.New(prefixes, tt.header); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%q, %q): got %v; want an error with %q", tt.trusted, tt.header, err, tt.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want string // the prefixes joined by ","; "error" for an error
	}{
		{"", ""},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{" 10.1.2.3/8 , 2001:db8::/32 ", "10.0.0.0/8,2001:db8::/32"},
		{"192.0.2.1", "192.0.2.1/32"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"10.0.0.0/33", "error"},
		{"10.0.0.0/8,nonsense", "error"},
		{"fe80::1%eth0", "error"},
		{"10.0.0.0-10.0.0.255", "error"},
	}
	for _, tt := range tests {
		prefixes, err := clientaddr.ParsePrefixes(tt.in)
		got := "error"
		if err == nil {
			parts := make([]string, len(prefixes))
			for i, p := range prefixes {
				parts[i] = p.String()
			}
			got = strings.Join(parts, ",")
		}
		if got != tt.want {
			t.Errorf("ParsePrefixes(%q): got %s (%v); want %s", tt.in, got, err, tt.want)
		}
	}
}
