package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

func TestNewRejectsBadConfig(t *testing.T) {
	short := []byte(testSecret[:minSecretBytes-1])
	tests := []struct {
		name string
		cfg  Config
		want string // the error names the setting
	}{
		{"neither Secret nor JWKSURL", Config{}, "set one of Secret (HS256) or JWKSURL"},
		{"both Secret and JWKSURL", Config{Secret: []byte(testSecret), JWKSURL: "https://idp.test/jwks"}, "exactly one of Secret and JWKSURL"},
		{"short Secret", Config{Secret: short}, "Secret is 31 bytes; HS256 needs at least 32"},
		{"JWKSURL unparsable", Config{JWKSURL: "://idp"}, "JWKSURL is not a valid URL"},
		{"JWKSURL not http", Config{JWKSURL: "ftp://127.0.0.1/jwks"}, "JWKSURL"},
		{"JWKSURL plain http off the machine", Config{JWKSURL: "http://idp.test/jwks"}, "must use https"},
		{"JWKSURL without host", Config{JWKSURL: "https:///jwks"}, "has no host"},
		{"JWKSURL relative", Config{JWKSURL: "/jwks"}, "has no host"},
		{"negative Leeway", Config{Secret: []byte(testSecret), Leeway: -time.Second}, "Leeway"},
		{"RefreshInterval too short", Config{JWKSURL: "https://idp.test/jwks", RefreshInterval: 30 * time.Second}, "RefreshInterval"},
		{"negative RefreshInterval", Config{JWKSURL: "https://idp.test/jwks", RefreshInterval: -time.Minute}, "RefreshInterval"},
		{"AdminScope with a space", Config{Secret: []byte(testSecret), AdminScope: "dashboard admin"}, "AdminScope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := New(t.Context(), tc.cfg)
			if err == nil {
				t.Fatalf("New(%+v) = %v, nil; want an error naming %q", tc.cfg, v, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%+v): got %q; want it to name %q", tc.cfg, err, tc.want)
			}
		})
	}
}

func TestNewRedactsJWKSURL(t *testing.T) {
	_, err := New(t.Context(), Config{JWKSURL: "http://user:hunter22@idp.test/jwks"})
	if err == nil || strings.Contains(err.Error(), "hunter22") {
		t.Fatalf("New: got %v; want an error without the URL's password", err)
	}
}

func TestCheckJWKSURL(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://idp.test/.well-known/jwks.json", true},
		{"https://10.0.0.1:8443/jwks", true},
		{"http://127.0.0.1:8080/jwks", true},
		{"http://127.1.2.3/jwks", true},
		{"http://localhost:8080/jwks", true},
		{"http://[::1]:8080/jwks", true},
		{"http://idp.test/jwks", false},
		{"http://10.0.0.1/jwks", false},
		{"http://localhost.idp.test/jwks", false},
		{"file:///etc/jwks.json", false},
		{"idp.test/jwks", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := checkJWKSURL(tc.url); (err == nil) != tc.want {
			t.Errorf("checkJWKSURL(%q) = %v; want accepted %v", tc.url, err, tc.want)
		}
	}
}

// TestConfigPolicies checks that the policy fields change what is accepted.
func TestConfigPolicies(t *testing.T) {
	secret := []byte(testSecret)
	tests := []struct {
		name   string
		cfg    Config
		claims claims
		want   Identity
		err    error
	}{
		{"default leeway covers 29s", Config{}, validClaims().with("exp", testNow.Add(-29*time.Second)), Identity{Subject: "user-1"}, nil},
		{"1s leeway does not", Config{Leeway: time.Second}, validClaims().with("exp", testNow.Add(-29*time.Second)), Identity{}, ErrExpired},
		{"default admin scope", Config{}, validClaims().with("scope", "dashboard:admin"), Identity{Subject: "user-1", Admin: true}, nil},
		{"own admin scope", Config{AdminScope: "ops"}, validClaims().with("scope", "ops"), Identity{Subject: "user-1", Admin: true}, nil},
		{"default scope not admin when changed", Config{AdminScope: "ops"}, validClaims().with("scope", "dashboard:admin"), Identity{Subject: "user-1"}, nil},
		{"no issuer or audience configured", Config{}, validClaims().without("iss").without("aud"), Identity{Subject: "user-1"}, nil},
		{"clock moved on", Config{Now: func() time.Time { return testNow.Add(time.Hour) }}, validClaims(), Identity{}, ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Secret = secret
			v := mustNew(t, tc.cfg)
			token := sign(t, tc.claims, jwa.HS256(), secret, nil)
			got, err := v.Verify(t.Context(), token)
			checkVerify(t, token, got, err, tc.want, tc.err)
		})
	}
}

// TestNewCopiesSecret checks that changing the caller's slice afterwards
// does not change which tokens verify.
func TestNewCopiesSecret(t *testing.T) {
	secret := []byte(testSecret)
	v := mustNew(t, Config{Secret: secret})
	token := sign(t, validClaims(), jwa.HS256(), []byte(testSecret), nil)
	for i := range secret {
		secret[i] = 'x'
	}
	if _, err := v.Verify(t.Context(), token); err != nil {
		t.Fatalf("Verify after the caller changed its secret slice: %v", err)
	}
}
