package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

func TestNewFailsWhenJWKSUnusable(t *testing.T) {
	rsaKey, _ := newRemoteKeys(t)
	noKid, err := jwk.Import(newECKey(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	down := serveJWKS(t, rsaKey)
	down.Close()
	tls := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tls.Close)

	tests := []struct {
		name  string
		url   func(t *testing.T) string
		wants string
	}{
		{"server down", func(*testing.T) string { return down.URL }, "first fetch"},
		{"status 500", func(t *testing.T) string { s := serveJWKS(t); s.setBody(500, nil); return s.URL }, "first fetch"},
		{"status 404", func(t *testing.T) string { s := serveJWKS(t); s.setBody(404, nil); return s.URL }, "first fetch"},
		{"not JSON", func(t *testing.T) string { s := serveJWKS(t); s.setBody(200, []byte("<html>")); return s.URL }, "first fetch"},
		{"no keys", func(t *testing.T) string { return serveJWKS(t).URL }, "no RSA or EC P-256 signing key"},
		{"only an oct key", func(t *testing.T) string {
			return serveJWKS(t, privateJWK(t, []byte(testSecret), "shared", jwa.HS256())).URL
		}, "no RSA or EC P-256 signing key"},
		{"key without kid", func(t *testing.T) string { return serveJWKS(t, noKid).URL }, "no RSA or EC P-256 signing key"},
		{"TLS certificate not trusted", func(*testing.T) string { return tls.URL }, "first fetch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := New(t.Context(), Config{JWKSURL: tc.url(t)})
			if err == nil {
				t.Fatalf("New = %v, nil; want an error about %q", v, tc.wants)
			}
			if !strings.Contains(err.Error(), "JWKSURL") || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("New: got %q; want it to name JWKSURL and %q", err, tc.wants)
			}
		})
	}
}

// TestNewStopsWithContext checks that a JWKS server that never answers
// holds New only until its context ends.
func TestNewStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		cancel() // the gateway is shutting down while the fetch hangs
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	_, err := New(ctx, Config{JWKSURL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("New: got %v; want context.Canceled", err)
	}
}

// TestJWKSOverTLS checks that Config.HTTPClient is the client that fetches.
func TestJWKSOverTLS(t *testing.T) {
	_, ecKey := newRemoteKeys(t)
	s := &jwksServer{}
	s.setKeys(t, ecKey)
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)

	v := mustNew(t, Config{JWKSURL: s.URL, HTTPClient: s.Client()})
	token := sign(t, validClaims(), jwa.ES256(), ecKey, nil)
	got, err := v.Verify(t.Context(), token)
	checkVerify(t, token, got, err, Identity{Subject: "user-1"}, nil)
}

// TestJWKSRefresh rotates the served keys and refreshes by hand, as the
// background refresh does every RefreshInterval.
func TestJWKSRefresh(t *testing.T) {
	oldKey := privateJWK(t, newECKey(t), "old", jwa.ES256())
	newKey := privateJWK(t, newECKey(t), "new", jwa.ES256())
	srv := serveJWKS(t, oldKey)
	v := mustNew(t, Config{JWKSURL: srv.URL})
	oldToken := sign(t, validClaims(), jwa.ES256(), oldKey, nil)
	newToken := sign(t, validClaims(), jwa.ES256(), newKey, nil)
	user := Identity{Subject: "user-1"}

	steps := []struct {
		name       string
		serve      func()
		refreshErr bool
		oldErr     error // what Verify(oldToken) wants
		newErr     error // what Verify(newToken) wants
	}{
		{"before rotation", func() {}, false, nil, ErrInvalidToken},
		{"new key published", func() { srv.setKeys(t, oldKey, newKey) }, false, nil, nil},
		{"server failing keeps keys", func() { srv.setBody(http.StatusBadGateway, nil) }, true, nil, nil},
		{"garbage keeps keys", func() { srv.setBody(http.StatusOK, []byte("{")) }, true, nil, nil},
		{"old key retired", func() { srv.setKeys(t, newKey) }, false, ErrInvalidToken, nil},
	}
	for _, step := range steps {
		step.serve()
		err := v.refreshKeys(t.Context())
		if (err != nil) != step.refreshErr {
			t.Fatalf("%s: refreshKeys = %v; want error %v", step.name, err, step.refreshErr)
		}
		for _, c := range []struct {
			token   string
			wantErr error
		}{{oldToken, step.oldErr}, {newToken, step.newErr}} {
			got, err := v.Verify(t.Context(), c.token)
			want := user
			if c.wantErr != nil {
				want = Identity{}
			}
			checkVerify(t, c.token, got, err, want, c.wantErr)
		}
	}
}

// TestJWKSAfterContextEnds checks that the keys held keep verifying once
// New's context has ended and refreshing has stopped.
func TestJWKSAfterContextEnds(t *testing.T) {
	_, ecKey := newRemoteKeys(t)
	srv := serveJWKS(t, ecKey)
	ctx, cancel := context.WithCancel(t.Context())
	v, err := New(ctx, Config{JWKSURL: srv.URL, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	token := sign(t, validClaims(), jwa.ES256(), ecKey, nil)
	got, err := v.Verify(t.Context(), token)
	checkVerify(t, token, got, err, Identity{Subject: "user-1"}, nil)
}
