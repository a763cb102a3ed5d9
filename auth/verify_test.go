package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// claimCase is a rule about claims, which holds whatever signs the token.
type claimCase struct {
	name    string
	claims  claims
	want    Identity
	wantErr error  // nil, ErrInvalidToken or ErrExpired
	why     string // a rejection's error text names this claim
}

func claimCases() []claimCase {
	user := Identity{Subject: "user-1"}
	admin := Identity{Subject: "user-1", Admin: true}
	longSub := strings.Repeat("u", MaxSubjectBytes)
	return []claimCase{
		{"valid", validClaims(), user, nil, ""},
		{"expired", validClaims().with("exp", testNow.Add(-31*time.Second)), Identity{}, ErrExpired, "exp"},
		{"expired within leeway", validClaims().with("exp", testNow.Add(-29*time.Second)), user, nil, ""},
		{"no exp", validClaims().without("exp"), Identity{}, ErrInvalidToken, "exp"},
		{"not yet valid", validClaims().with("nbf", testNow.Add(time.Minute)), Identity{}, ErrInvalidToken, "nbf"},
		{"nbf within leeway", validClaims().with("nbf", testNow.Add(29*time.Second)), user, nil, ""},
		{"nbf passed", validClaims().with("nbf", testNow.Add(-time.Second)), user, nil, ""},
		{"issued in the future", validClaims().with("iat", testNow.Add(time.Minute)), Identity{}, ErrInvalidToken, "iat"},
		{"no iat", validClaims().without("iat"), user, nil, ""},
		{"no sub", validClaims().without("sub"), Identity{}, ErrInvalidToken, "sub"},
		{"empty sub", validClaims().with("sub", ""), Identity{}, ErrInvalidToken, "sub"},
		{"sub at limit", validClaims().with("sub", longSub), Identity{Subject: longSub}, nil, ""},
		{"sub over limit", validClaims().with("sub", longSub+"u"), Identity{}, ErrInvalidToken, "sub"},
		{"sub with a line break", validClaims().with("sub", "u1\r\nX-Auth-Subject: admin"), Identity{}, ErrInvalidToken, "sub"},
		{"sub with a space", validClaims().with("sub", "user 1"), Identity{}, ErrInvalidToken, "sub"},
		{"sub with a NUL", validClaims().with("sub", "u1\x00"), Identity{}, ErrInvalidToken, "sub"},
		{"sub not ASCII", validClaims().with("sub", "jürgen"), Identity{}, ErrInvalidToken, "sub"},
		{"sub as IdPs write it", validClaims().with("sub", "auth0|5f7c8ec7c33c6c004bbafe82"),
			Identity{Subject: "auth0|5f7c8ec7c33c6c004bbafe82"}, nil, ""},
		{"wrong issuer", validClaims().with("iss", "https://evil.test"), Identity{}, ErrInvalidToken, "iss"},
		{"no issuer", validClaims().without("iss"), Identity{}, ErrInvalidToken, "iss"},
		{"wrong audience", validClaims().with("aud", []string{"other"}), Identity{}, ErrInvalidToken, "aud"},
		{"audience among several", validClaims().with("aud", []string{"other", "dashboard-gateway"}), user, nil, ""},
		{"audience as a string", validClaims().with("aud", "dashboard-gateway"), user, nil, ""},
		{"no audience", validClaims().without("aud"), Identity{}, ErrInvalidToken, "aud"},
		{"admin via scope", validClaims().with("scope", "profile:read dashboard:admin"), admin, nil, ""},
		{"admin via scp array", validClaims().with("scp", []string{"profile:read", "dashboard:admin"}), admin, nil, ""},
		{"admin via scp string", validClaims().with("scp", "dashboard:admin"), admin, nil, ""},
		{"scope that only starts like admin", validClaims().with("scope", "dashboard:admins dashboard"), user, nil, ""},
		{"admin scope in another claim", validClaims().with("roles", []string{"dashboard:admin"}), user, nil, ""},
		{"scope of the wrong type", validClaims().with("scope", 42), user, nil, ""},
		// Scopes are separated by single spaces (RFC 6749 section 3.3) and
		// nothing else.
		{"admin after a tab", validClaims().with("scope", "profile:read\tdashboard:admin"), user, nil, ""},
		{"admin before a tab", validClaims().with("scope", "dashboard:admin\tprofile:read"), user, nil, ""},
		{"admin after a line break", validClaims().with("scope", "profile:read\ndashboard:admin"), user, nil, ""},
		{"admin in scp after a tab", validClaims().with("scp", "profile:read\tdashboard:admin"), user, nil, ""},
		{"admin after two spaces", validClaims().with("scope", "profile:read  dashboard:admin"), admin, nil, ""},
	}
}

func TestVerifyClaims(t *testing.T) {
	rsaKey := privateJWK(t, newRSAKey(t), "rsa-1", jwa.RS256())
	ecKey := privateJWK(t, newECKey(t), "ec-1", jwa.SignatureAlgorithm{}) // alg inferred from the curve
	srv := serveJWKS(t, rsaKey, ecKey)
	hs := mustNew(t, Config{Secret: []byte(testSecret), Issuer: "https://issuer.test", Audience: "dashboard-gateway"})
	remote := mustNew(t, Config{JWKSURL: srv.URL, Issuer: "https://issuer.test", Audience: "dashboard-gateway"})

	signers := []struct {
		alg jwa.SignatureAlgorithm
		key any
		v   *Verifier
	}{
		{jwa.HS256(), []byte(testSecret), hs},
		{jwa.RS256(), rsaKey, remote},
		{jwa.ES256(), ecKey, remote},
	}
	for _, s := range signers {
		for _, tc := range claimCases() {
			t.Run(s.alg.String()+"/"+tc.name, func(t *testing.T) {
				token := sign(t, tc.claims, s.alg, s.key, nil)
				got, err := s.v.Verify(t.Context(), token)
				checkVerify(t, token, got, err, tc.want, tc.wantErr)
				if err != nil && !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("Verify: got error %v; want it to be about %s", err, tc.why)
				}
			})
		}
	}
}

// checkVerify compares Verify's answer with the wanted one, and checks that
// a rejection wraps ErrInvalidToken and leaks neither token nor secret.
func checkVerify(tb testing.TB, token string, got Identity, err error, want Identity, wantErr error) {
	tb.Helper()
	if wantErr == nil {
		if err != nil {
			tb.Fatalf("Verify: got error %v; want %+v", err, want)
		}
		if got != want {
			tb.Fatalf("Verify: got %+v; want %+v", got, want)
		}
		return
	}
	if err == nil {
		tb.Fatalf("Verify: got %+v, no error; want %v", got, wantErr)
	}
	if !errors.Is(err, wantErr) || !errors.Is(err, ErrInvalidToken) {
		tb.Fatalf("Verify: got error %v; want one wrapping %v and %v", err, wantErr, ErrInvalidToken)
	}
	if wantErr != ErrExpired && errors.Is(err, ErrExpired) {
		tb.Fatalf("Verify: got error %v; it wraps ErrExpired but the token has not expired", err)
	}
	if got != (Identity{}) {
		tb.Fatalf("Verify: got %+v with error; want the zero Identity", got)
	}
	if token != "" && strings.Contains(err.Error(), token) {
		tb.Fatalf("Verify: error text %q holds the token", err)
	}
	if strings.Contains(err.Error(), testSecret) {
		tb.Fatalf("Verify: error text %q holds the secret", err)
	}
}

// TestVerifyLimits checks that the size limit is applied before parsing and
// that a large token under it still verifies.
func TestVerifyLimits(t *testing.T) {
	v := mustNew(t, Config{Secret: []byte(testSecret)})
	tests := []struct {
		name    string
		pad     int
		wantErr error
	}{
		{"under the limit", MaxTokenBytes - 1024, nil},
		{"over the limit", MaxTokenBytes, ErrInvalidToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := sign(t, validClaims().with("pad", strings.Repeat("p", tc.pad*3/4)), jwa.HS256(), []byte(testSecret), nil)
			if tc.wantErr == nil && len(token) > MaxTokenBytes || tc.wantErr != nil && len(token) <= MaxTokenBytes {
				t.Fatalf("test token is %d bytes; fix the padding", len(token))
			}
			got, err := v.Verify(t.Context(), token)
			checkVerify(t, token, got, err, Identity{Subject: "user-1"}, tc.wantErr)
			if err != nil && !strings.Contains(err.Error(), "over the limit") {
				t.Fatalf("Verify(%d bytes): got %v; want the size limit to reject it", len(token), err)
			}
		})
	}
}

func TestIdentityCanRead(t *testing.T) {
	tests := []struct {
		id     Identity
		userID string
		want   bool
	}{
		{Identity{Subject: "u1"}, "u1", true},
		{Identity{Subject: "u1"}, "u2", false},
		{Identity{Subject: "u1", Admin: true}, "u2", true},
		{Identity{}, "", false},
		{Identity{Subject: "u1"}, "", false},
	}
	for _, tc := range tests {
		if got := tc.id.CanRead(tc.userID); got != tc.want {
			t.Errorf("%+v.CanRead(%q) = %v; want %v", tc.id, tc.userID, got, tc.want)
		}
	}
}

func TestContext(t *testing.T) {
	if id, ok := FromContext(t.Context()); ok {
		t.Fatalf("FromContext(empty) = %+v, true; want false", id)
	}
	want := Identity{Subject: "u1", Admin: true}
	if got, ok := FromContext(NewContext(t.Context(), want)); !ok || got != want {
		t.Fatalf("FromContext(NewContext(%+v)) = %+v, %v; want it back", want, got, ok)
	}
}

// newRemoteKeys returns private keys with the kids the JWKS tests serve.
func newRemoteKeys(tb testing.TB) (rsaKey, ecKey jwk.Key) {
	tb.Helper()
	return privateJWK(tb, newRSAKey(tb), "rsa-1", jwa.RS256()),
		privateJWK(tb, newECKey(tb), "ec-1", jwa.ES256())
}

// A token whose header has a "crit" parameter is refused, whatever it
// lists (RFC 7515 section 4.1.11): the verifier understands no extension,
// and an empty list or registered names make the header invalid anyway.
func TestVerifyRefusesCritical(t *testing.T) {
	rsaKey := privateJWK(t, newRSAKey(t), "rsa-1", jwa.RS256())
	srv := serveJWKS(t, rsaKey)
	signers := []struct {
		alg jwa.SignatureAlgorithm
		key any
		v   *Verifier
	}{
		{jwa.HS256(), []byte(testSecret), mustNew(t, Config{Secret: []byte(testSecret)})},
		{jwa.RS256(), rsaKey, mustNew(t, Config{JWKSURL: srv.URL})},
	}
	tests := []struct {
		name string
		hdr  map[string]any
	}{
		{"a claim's name", map[string]any{"crit": []string{"exp"}}},
		{"a claim's name, also in the header", map[string]any{"crit": []string{"exp"}, "exp": 4102444800}},
		{"an unknown extension", map[string]any{"crit": []string{"x-tenant"}, "x-tenant": "acme"}},
		{"a registered header", map[string]any{"crit": []string{"alg"}}},
		{"nothing", map[string]any{"crit": []string{}}},
	}
	for _, s := range signers {
		if _, err := s.v.Verify(t.Context(), sign(t, validClaims(), s.alg, s.key, nil)); err != nil {
			t.Fatalf("%s: Verify(token without crit): %v", s.alg, err)
		}
		for _, tt := range tests {
			t.Run(s.alg.String()+"/"+tt.name, func(t *testing.T) {
				token := sign(t, validClaims(), s.alg, s.key, tt.hdr)
				got, err := s.v.Verify(t.Context(), token)
				checkVerify(t, token, got, err, Identity{}, ErrInvalidToken)
				if !strings.Contains(err.Error(), "crit") {
					t.Errorf("Verify: got error %v; want it to be about crit", err)
				}
			})
		}
	}
}
