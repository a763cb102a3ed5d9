package gateway_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// GraphiQL and the SDL tell anyone what the schema is: served only while
// introspection is on.
func TestIntrospectionRoutes(t *testing.T) {
	for _, on := range []bool{true, false} {
		e := gatewaytest.New(t, gatewaytest.Options{SDL: []byte("type Query { dashboard(userId: ID!): Dashboard }\n"), Edit: func(o *config.Config) {
			o.Introspection = onOff(on)
		}})
		for _, path := range []string{"/", "/schema.graphqls", "/?query=%7B__typename%7D"} {
			want := 404
			if on {
				want = 200
			}
			if r := e.Get(t, path); r.Status != want {
				t.Errorf("introspection %v: GET %s: got %d; want %d", on, path, r.Status, want)
			}
		}
		if r := e.Post(t, `{ __schema { queryType { name } } }`, nil); on == (len(r.GQL.Errors) > 0) {
			t.Errorf("introspection %v: __schema: got %s", on, r.Body)
		}
	}
}

// Every response carries the headers that stop browsers from sniffing,
// framing and leaking it; the GraphiQL page has a CSP that allows exactly
// its own scripts and styles.
func TestSecurityHeaders(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	base := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	tests := []struct {
		name string
		do   func() gatewaytest.Result
	}{
		{"GraphiQL", func() gatewaytest.Result { return e.Get(t, "/") }},
		{"POST /query", func() gatewaytest.Result { return e.Post(t, `{ __typename }`, nil) }},
		{"GET /query", func() gatewaytest.Result { return e.Get(t, gatewaytest.QueryPath(`{ __typename }`)) }},
		{"REST view", func() gatewaytest.Result { return e.Get(t, "/dashboard/u1") }},
		{"health", func() gatewaytest.Result { return e.Get(t, "/healthz") }},
		{"unknown route", func() gatewaytest.Result { return e.Get(t, "/nope") }},
		{"SDL", func() gatewaytest.Result { return e.Get(t, "/schema.graphqls") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.do()
			for h, want := range base {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s: got %q; want %q", h, got, want)
				}
			}
			csp := parseCSP(r.Header.Get("Content-Security-Policy"))
			if got := csp["frame-ancestors"]; !slices.Equal(got, []string{"'none'"}) {
				t.Errorf("frame-ancestors: got %q; want 'none' (CSP %q)", got, r.Header.Get("Content-Security-Policy"))
			}
			if got := csp["default-src"]; !slices.Equal(got, []string{"'none'"}) {
				t.Errorf("default-src: got %q; want 'none'", got)
			}
			if tt.name == "GraphiQL" {
				checkGraphiQLCSP(t, string(r.Body), csp)
			}
		})
	}
}

// checkGraphiQLCSP checks that csp lets page run (each inline script by
// its hash, each external script and stylesheet by its URL) and nothing
// else: no inline script without a hash, no eval.
func checkGraphiQLCSP(t *testing.T, page string, csp map[string][]string) {
	t.Helper()
	scripts, styles := csp["script-src"], csp["style-src"]
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "data:"} {
		if slices.Contains(scripts, bad) {
			t.Errorf("script-src has %s: %q", bad, scripts)
		}
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(inline) == 0 {
		t.Fatal("GraphiQL page: got no inline script; want its bootstrap script")
	}
	for _, m := range inline {
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !slices.Contains(scripts, h) {
			t.Errorf("script-src %q lacks the inline script's hash %s", scripts, h)
		}
	}
	for _, m := range regexp.MustCompile(`<script\s+src="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !slices.Contains(scripts, m[1]) {
			t.Errorf("script-src %q lacks %s", scripts, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`rel="stylesheet"\s+href="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !slices.Contains(styles, m[1]) {
			t.Errorf("style-src %q lacks %s", styles, m[1])
		}
	}
	if got := csp["connect-src"]; !slices.Equal(got, []string{"'self'"}) {
		t.Errorf("connect-src: got %q; want 'self' (the endpoint)", got)
	}
	if !strings.Contains(page, `integrity="sha256-`) {
		t.Error("GraphiQL page: got no subresource integrity; want it on every CDN asset")
	}
}

// parseCSP returns a policy's directives and their sources.
func parseCSP(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// onOff is the -introspection setting for on.
func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
