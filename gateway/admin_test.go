package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// The admin listener answers only requests that name it by an IP address,
// localhost or a configured name: a page on another name rebound to its
// address (DNS rebinding) is refused with 421, and so reads no metrics or
// profiles.
func TestAdminHost(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) { c.AdminHosts = []string{"gateway-admin.monitoring.svc"} }})
	port := strings.TrimPrefix(e.AdminURL, "http://127.0.0.1:")
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"LocalHost", 200},
		{"[::1]:" + port, 200},
		{"10.1.2.3:9090", 200}, // a pod's address, as Prometheus scrapes it
		{"gateway-admin.monitoring.svc:9090", 200},
		{"Gateway-Admin.Monitoring.Svc.", 200},
		{"evil.example", 421},
		{"evil.example:" + port, 421},
		{"127.0.0.1.nip.io:" + port, 421},
		{"localhost.evil.example", 421},
		{"monitoring.svc", 421},
	}
	for _, path := range []string{"/metrics", "/debug/pprof/goroutine?debug=1", "/healthz", "/nope"} {
		for _, tt := range tests {
			req, _ := http.NewRequest(http.MethodGet, e.AdminURL+path, nil)
			req.Host = tt.host
			r := e.Do(t, req)
			want := tt.want
			if want == 200 && path == "/nope" {
				want = 404
			}
			if r.Status != want {
				t.Errorf("GET %s with Host %q: got %d %.100s; want %d", path, tt.host, r.Status, r.Body, want)
			}
			if want == 421 && !strings.Contains(string(r.Body), "-admin-hosts") {
				t.Errorf("GET %s with Host %q: body %s; want it to name -admin-hosts", path, tt.host, r.Body)
			}
		}
	}
}

// The admin routes that change state take only application/json: a
// cross-origin page can POST a form or text/plain without a preflight,
// not JSON, so it cannot invalidate anyone's cache.
func TestAdminStateChangesNeedJSON(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	tests := []struct {
		contentType string
		want        int
	}{
		{"", 415},
		{"text/plain", 415},
		{"text/plain; charset=utf-8", 415},
		{"application/x-www-form-urlencoded", 415},
		{"multipart/form-data; boundary=x", 415},
		{"application/json-seq", 415},
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"Application/JSON", 200},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, e.AdminURL+"/admin/cache/invalidate?user=u1", strings.NewReader(url.Values{"user": {"u1"}}.Encode()))
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		req.Header.Set("Origin", "https://evil.example")
		r := e.Do(t, req)
		if r.Status != tt.want {
			t.Errorf("POST with Content-Type %q: got %d %s; want %d", tt.contentType, r.Status, r.Body, tt.want)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("POST with Content-Type %q: Access-Control-Allow-Origin %q; want none", tt.contentType, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// A preflight for the JSON request is not granted.
	req, _ := http.NewRequest(http.MethodOptions, e.AdminURL+"/admin/cache/invalidate?user=u1", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	if r := e.Do(t, req); r.Header.Get("Access-Control-Allow-Origin") != "" || r.Status < 400 {
		t.Errorf("preflight: got %d, Access-Control-Allow-Origin %q; want a refusal", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}
}
