package gateway

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/acme/dashboard-gateway/apierror"
)

// adminHost refuses, with 421, a request to the admin listener whose Host
// is not an IP address, localhost, or one of names: a page that rebinds
// its own host name to the listener's address (DNS rebinding) sends its
// own name, so it is refused, while anything that reaches the listener by
// address (Prometheus, the kubelet's probes, curl on the node) is served.
func adminHost(names []string) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(names)+1)
	allowed["localhost"] = true
	for _, n := range names {
		allowed[strings.ToLower(strings.TrimSuffix(n, "."))] = true
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !adminHostAllowed(r.Host, allowed) {
				apierror.WriteHTTP(w, http.StatusMisdirectedRequest, apierror.Forbidden,
					"this listener answers only to an IP address, localhost, or a name in -admin-hosts")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// adminHostAllowed reports whether the Host header host (with or without
// a port) is an IP address or one of the allowed names.
func adminHostAllowed(host string, allowed map[string]bool) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if host == "" {
		return false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return allowed[strings.ToLower(host)]
}

// CheckAdminHost reports whether name can be one of Options.AdminHosts: a
// host name, without a port or a scheme.
func CheckAdminHost(name string) error {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 || strings.ContainsFunc(name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')
	}) {
		return errors.New("want a host name (letters, digits, - and .), without a scheme or port, e.g. gateway-admin.monitoring.svc")
	}
	return nil
}

// nonSimple guards the admin listener's state-changing routes: it refuses
// with 415 any request but one whose Content-Type is application/json.
// A cross-origin page can send a form or text/plain POST without asking
// (a "simple" request), but not application/json: that needs a CORS
// preflight, which the admin listener never grants.
func nonSimple(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			apierror.WriteHTTP(w, http.StatusUnsupportedMediaType, apierror.BadRequest,
				"send Content-Type: application/json: the admin routes that change state refuse requests a browser may send cross-origin")
			return
		}
		next.ServeHTTP(w, r)
	})
}
