package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// The operators' endpoints are on the admin listener only: /metrics and
// pprof are 404s on the public port; the probes answer on both. The
// profiler's cmdline is served nowhere.
func TestRunListeners(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // both listeners stopped with run
	public, logs := start(t, nil, nil)
	admin := "http://" + logs.field("admin listening", "addr")
	if admin == "http://" {
		t.Fatalf("no admin listening line:\n%s", logs)
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	tests := []struct {
		base, path string
		status     int
		body       string // a substring of the body, if any
	}{
		{public, "/metrics", 404, ""},
		{public, "/debug/pprof/", 404, ""},
		{public, "/debug/pprof/cmdline", 404, ""},
		{public, "/debug/pprof/goroutine?debug=1", 404, ""},
		{public, "/healthz", 200, `"ok"`},
		{public, "/readyz", 200, `"ready"`},
		{admin, "/metrics", 200, "go_goroutines"},
		{admin, "/debug/pprof/", 200, "goroutine"},
		{admin, "/debug/pprof/cmdline", 404, ""}, // the arguments may hold secrets
		{admin, "/debug/pprof/goroutine?debug=1", 200, "goroutine profile"},
		{admin, "/debug/pprof/symbol", 200, "num_symbols"},
		{admin, "/healthz", 200, `"ok"`},
		{admin, "/readyz", 200, `"ready"`},
		{admin, "/query", 404, ""},
		{admin, "/", 404, ""},
	}
	for _, tt := range tests {
		name := "public"
		if tt.base == admin {
			name = "admin"
		}
		t.Run(name+" "+tt.path, func(t *testing.T) {
			resp, err := client.Get(tt.base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
				t.Errorf("GET %s on the %s listener: got %d %.200s; want %d with %q", tt.path, name, resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options %q; want nosniff", tt.path, got)
			}
		})
	}

	// No rate limit unless configured: more requests than the old default
	// (100 per second) from one address all pass.
	for i := range 120 {
		resp, err := client.Post(public+"/query", "application/json", bytes.NewReader([]byte(`{"query":"{ __typename }"}`)))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d with the default settings: got %d; want 200 (no rate limit)", i+1, resp.StatusCode)
		}
	}
}

// -admin-addr off serves no operators' endpoints anywhere.
func TestRunAdminOff(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	public, logs := start(t, []string{"-admin-addr", "off"}, nil)
	if !strings.Contains(logs.String(), "no admin listener") || logs.field("admin listening", "addr") != "" {
		t.Errorf("log: got no warning or an admin listener; want the warning only:\n%s", logs)
	}
	resp, err := http.Get(public + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != 404 {
		t.Errorf("GET /metrics on the public listener: got %d; want 404", resp.StatusCode)
	}
}
