package simulator

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestStart serves every service on free ports and talks to each over
// HTTP/1.1 and h2c, checking the protocol the handler saw.
func TestStart(t *testing.T) {
	noLeaks(t)
	s, urls := startSim(t, Options{Record: true})
	if len(urls) != len(Services()) {
		t.Fatalf("Start returned %d URLs; want one for each of %q", len(urls), Services())
	}
	for _, p := range protocols {
		c := p.client(t)
		for _, svc := range Services() {
			if !strings.HasPrefix(urls[svc], "http://127.0.0.1:") {
				t.Errorf("URL of %s %q; want http://127.0.0.1:<port>", svc, urls[svc])
			}
			path := examplePath(t, s.decls[svc].Endpoints[0])
			if got := get(t, c, urls[svc]+path); got.status != 200 {
				t.Errorf("%s GET %s: status %d; want 200", p.name, path, got.status)
			}
			calls := s.Calls(svc)
			if last := calls[len(calls)-1]; last.Proto != p.name {
				t.Errorf("%s call to %s recorded proto %q; want %q", p.name, svc, last.Proto, p.name)
			}
		}
	}
}

func TestStartPorts(t *testing.T) {
	noLeaks(t)
	// A port that was free a moment ago: catalog (index 2) must land on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := New(Options{})
	defer s.Close()
	got, err := s.Start("127.0.0.1", port-2, Catalog)
	if err != nil {
		t.Fatalf("Start(base %d, catalog): %v", port-2, err)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(port); got[Catalog] != want {
		t.Errorf("Start(base %d, catalog) URL %q; want %q", port-2, got[Catalog], want)
	}

	// The same port again is taken: Start fails and leaves nothing behind.
	s2 := New(Options{})
	defer s2.Close()
	if _, err := s2.Start("127.0.0.1", port-2, Profile, Catalog); err == nil {
		t.Errorf("Start on a taken port succeeded; want an error")
	}
}

func TestStartErrors(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		name     string
		basePort int
		services []string
		want     string
	}{
		{"unknown service", 0, []string{"billing"}, `"billing"`},
		{"repeated service", 0, []string{Profile, Profile}, `"profile"`},
		{"negative port", -1, nil, "out of range"},
		{"port too high", MaxBasePort() + 1, nil, "out of range"},
	}
	s := New(Options{})
	defer s.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Start("127.0.0.1", tt.basePort, tt.services...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start(%d, %q) = %v; want an error containing %s", tt.basePort, tt.services, err, tt.want)
			}
		})
	}
	closed := New(Options{})
	closed.Close()
	if _, err := closed.Start("127.0.0.1", 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v; want ErrClosed", err)
	}
}

func TestBaseURL(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv6unspecified, Port: 9101}
	tests := []struct{ host, want string }{
		{"127.0.0.1", "http://127.0.0.1:9101"},
		{"", "http://127.0.0.1:9101"},
		{"0.0.0.0", "http://127.0.0.1:9101"},
		{"::", "http://[::1]:9101"},
		{"::1", "http://[::1]:9101"},
		{"localhost", "http://localhost:9101"},
	}
	for _, tt := range tests {
		if got := baseURL(tt.host, addr); got != tt.want {
			t.Errorf("baseURL(%q) = %q; want %q", tt.host, got, tt.want)
		}
	}
}
