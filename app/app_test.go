package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/app"
	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/downstream"
)

// withURLs returns the default configuration with every service at an
// address nothing is called on, url configured when configured is true.
func withURLs(configured bool) config.Config {
	cfg := config.Default()
	for _, s := range downstream.Services() {
		sc := cfg.Services[s]
		sc.URL = "http://127.0.0.1:1"
		cfg.Services[s] = sc
		if configured {
			cfg.URLs[s] = sc.URL
		}
	}
	return cfg
}

// Introspection (and GraphiQL at GET /) follows the setting; auto means on
// while any service is simulated.
func TestIntrospection(t *testing.T) {
	tests := []struct {
		setting    string
		configured bool // every service has a URL: none simulated
		want       bool
	}{
		{"auto", false, true},
		{"auto", true, false},
		{"", false, true},
		{"on", true, true},
		{"off", false, false},
	}
	for _, tt := range tests {
		cfg := withURLs(tt.configured)
		cfg.Introspection = tt.setting
		a, err := app.New(context.Background(), cfg, app.Deps{})
		if err != nil {
			t.Fatalf("%q: %v", tt.setting, err)
		}
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		a.Close()
		if a.Introspection != tt.want || (rec.Code == http.StatusOK) != tt.want {
			t.Errorf("introspection %q, services configured %v: got %v (GET / %d); want %v", tt.setting, tt.configured, a.Introspection, rec.Code, tt.want)
		}
	}
}

// Drain turns both handlers unready.
func TestDrain(t *testing.T) {
	a, err := app.New(context.Background(), withURLs(true), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Drain()
	for name, h := range map[string]http.Handler{"public": a.Handler, "admin": a.Admin} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/readyz", nil)) // the admin listener answers IP hosts
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s GET /readyz after Drain: got %d; want 503", name, rec.Code)
		}
	}
}

// Settings New cannot use fail with an error naming them.
func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"missing manifest", func(c *config.Config) { c.TrustedDocuments = filepath.Join(t.TempDir(), "none.json") }, "-trusted-documents"},
		{"short secret", func(c *config.Config) { c.Auth.Secret = "short" }, "-auth-"},
	}
	for _, tt := range tests {
		cfg := withURLs(true)
		tt.edit(&cfg)
		a, err := app.New(context.Background(), cfg, app.Deps{})
		if err == nil {
			a.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v; want an error naming %s", tt.name, err, tt.want)
		}
	}
}
