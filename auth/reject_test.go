package auth

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// malformedTokens are tokens no configuration may accept; valid is a token
// that the verifier under test accepts, to be mangled.
func malformedTokens(tb testing.TB, valid string, alg jwa.SignatureAlgorithm, key any) map[string]string {
	tb.Helper()
	parts := strings.Split(valid, ".")
	signed := func(payload string) string {
		out, err := jws.Sign([]byte(payload), jws.WithKey(alg, key))
		if err != nil {
			tb.Fatalf("sign payload %q: %v", payload, err)
		}
		return string(out)
	}
	jsonSerialized, err := jws.Sign([]byte(`{"sub":"user-1"}`), jws.WithJSON(), jws.WithKey(alg, key))
	if err != nil {
		tb.Fatalf("sign JSON serialization: %v", err)
	}
	return map[string]string{
		"empty":                    "",
		"one part":                 "abc",
		"two parts":                parts[0] + "." + parts[1],
		"four parts":               valid + ".x",
		"five parts (JWE shape)":   valid + ".x.y",
		"only dots":                "..",
		"bad base64":               "!!!.@@@.###",
		"bad base64 in signature":  parts[0] + "." + parts[1] + ".%%%",
		"header not JSON":          b64("not json") + "." + parts[1] + "." + parts[2],
		"payload not JSON":         signed("not json"),
		"payload a JSON array":     signed(`["sub","user-1"]`),
		"payload swapped":          parts[0] + "." + b64(`{"sub":"admin","exp":9999999999}`) + "." + parts[2],
		"signature stripped":       parts[0] + "." + parts[1] + ".",
		"signature of another":     parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4] + "AAAA",
		"JSON serialization":       string(jsonSerialized),
		"space inside":             parts[0] + ". " + parts[1] + "." + parts[2],
		"bearer prefix left on":    "Bearer " + valid,
		"claims only, no envelope": `{"sub":"user-1","exp":9999999999}`,
	}
}

func TestVerifyMalformed(t *testing.T) {
	rsaKey, ecKey := newRemoteKeys(t)
	srv := serveJWKS(t, rsaKey, ecKey)
	modes := []struct {
		name string
		v    *Verifier
		alg  jwa.SignatureAlgorithm
		key  any
	}{
		{"HS256", mustNew(t, Config{Secret: []byte(testSecret)}), jwa.HS256(), []byte(testSecret)},
		{"RS256", mustNew(t, Config{JWKSURL: srv.URL}), jwa.RS256(), rsaKey},
		{"ES256", mustNew(t, Config{JWKSURL: srv.URL}), jwa.ES256(), ecKey},
	}
	for _, m := range modes {
		valid := sign(t, validClaims(), m.alg, m.key, nil)
		if _, err := m.v.Verify(t.Context(), valid); err != nil {
			t.Fatalf("%s: Verify(valid token): %v", m.name, err)
		}
		for name, token := range malformedTokens(t, valid, m.alg, m.key) {
			t.Run(m.name+"/"+name, func(t *testing.T) {
				got, err := m.v.Verify(t.Context(), token)
				checkVerify(t, token, got, err, Identity{}, ErrInvalidToken)
			})
		}
	}
}

// rejection is a token that must be refused, and what the error must say
// (so that it is refused for the reason the case is about).
type rejection struct {
	token string
	why   string
}

// checkRejections checks that v refuses each token as invalid, saying why.
func checkRejections(t *testing.T, v *Verifier, tests map[string]rejection) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tc.token)
			checkVerify(t, tc.token, got, err, Identity{}, ErrInvalidToken)
			if !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Verify: got error %v; want it to say %q", err, tc.why)
			}
		})
	}
}

func TestVerifyHS256Rejects(t *testing.T) {
	v := mustNew(t, Config{Secret: []byte(testSecret)})
	rsaKey := privateJWK(t, newRSAKey(t), "rsa-1", jwa.RS256())
	secret := []byte(testSecret)
	tests := map[string]rejection{
		"unsigned (alg none)":     {unsigned(t, validClaims()), "token alg \"none\" is not HS256"},
		"another secret":          {sign(t, validClaims(), jwa.HS256(), []byte(strings.Repeat("k", 32)), nil), "invalid HMAC signature"},
		"HS384 with the secret":   {sign(t, validClaims(), jwa.HS384(), secret, nil), "token alg \"HS384\" is not HS256"},
		"HS512 with the secret":   {sign(t, validClaims(), jwa.HS512(), secret, nil), "token alg \"HS512\" is not HS256"},
		"RS256 with an RSA key":   {sign(t, validClaims(), jwa.RS256(), rsaKey, nil), "token alg \"RS256\" is not HS256"},
		"header says none, empty": {b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(`{"sub":"user-1","exp":9999999999}`) + ".", "signature"},
		"header says HS256 empty": {b64(`{"alg":"HS256","typ":"JWT"}`) + "." + b64(`{"sub":"user-1","exp":9999999999}`) + ".", "signature"},
		// Signed correctly with HS256, but the header claims another
		// algorithm: the header must agree with the configuration.
		"header says HS384": {hmacToken(`{"alg":"HS384","typ":"JWT"}`, `{"sub":"user-1","exp":9999999999}`, secret), "token alg \"HS384\" is not HS256"},
		"header has no alg": {hmacToken(`{"typ":"JWT"}`, `{"sub":"user-1","exp":9999999999}`, secret), "token alg \"\" is not HS256"},
		"header says none":  {hmacToken(`{"alg":"none","typ":"JWT"}`, `{"sub":"user-1","exp":9999999999}`, secret), "token alg \"none\" is not HS256"},
		"header says RS256": {hmacToken(`{"alg":"RS256","typ":"JWT"}`, `{"sub":"user-1","exp":9999999999}`, secret), "token alg \"RS256\" is not HS256"},
	}
	// The hand-made tokens differ from this one only in their header.
	control := hmacToken(`{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"sub":"user-1","exp":%d}`, testNow.Unix()+60), secret)
	if _, err := v.Verify(t.Context(), control); err != nil {
		t.Fatalf("Verify(hand-made HS256 token): %v; want it accepted", err)
	}
	checkRejections(t, v, tests)
}

func TestVerifyJWKSRejects(t *testing.T) {
	rsaKey, ecKey := newRemoteKeys(t)
	rsaRaw, ecRaw := rawKey[*rsa.PrivateKey](t, rsaKey), rawKey[*ecdsa.PrivateKey](t, ecKey)
	encKey := privateJWK(t, newRSAKey(t), "rsa-enc", jwa.RS256())
	if err := encKey.Set(jwk.KeyUsageKey, "enc"); err != nil {
		t.Fatal(err)
	}
	octKey := privateJWK(t, []byte(testSecret), "shared", jwa.HS256())
	srv := serveJWKS(t, rsaKey, ecKey, encKey, octKey)
	v := mustNew(t, Config{JWKSURL: srv.URL})

	// Algorithm confusion: HMAC keyed with the bytes of a public key the
	// attacker can read from the JWKS.
	rsaPEM := publicPEM(t, &rsaRaw.PublicKey)
	ecPEM := publicPEM(t, &ecRaw.PublicKey)
	rsaDER, _ := pem.Decode(rsaPEM)
	rsaJSON := publicJSON(t, rsaKey)
	kid := func(k string) map[string]any { return map[string]any{jws.KeyIDKey: k} }
	attacker := newRSAKey(t)
	attackerPub, err := jwk.Import(attacker.Public())
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]rejection{
		"RSA key of another holder": {sign(t, validClaims(), jwa.RS256(), privateJWK(t, newRSAKey(t), "rsa-1", jwa.RS256()), nil), "failed to verify signature"},
		"EC key of another holder":  {sign(t, validClaims(), jwa.ES256(), privateJWK(t, newECKey(t), "ec-1", jwa.ES256()), nil), "failed to verify signature"},
		"unknown kid":               {sign(t, validClaims(), jwa.RS256(), rsaRaw, kid("rsa-2")), "no key with kid \"rsa-2\""},
		"no kid":                    {sign(t, validClaims(), jwa.RS256(), rsaRaw, nil), "no kid"},
		"empty kid":                 {sign(t, validClaims(), jwa.RS256(), rsaRaw, kid("")), "no kid"},
		"unsigned (alg none)":       {unsigned(t, validClaims()), "no kid"},
		"unsigned with a kid":       {unsignedWithKid(t, "rsa-1"), "token alg \"none\" does not match"},
		"HS256 keyed with RSA PEM":  {sign(t, validClaims(), jwa.HS256(), rsaPEM, kid("rsa-1")), "token alg \"HS256\" does not match key \"rsa-1\""},
		"HS256 keyed with RSA DER":  {sign(t, validClaims(), jwa.HS256(), rsaDER.Bytes, kid("rsa-1")), "token alg \"HS256\" does not match key \"rsa-1\""},
		"HS256 keyed with RSA JWK":  {sign(t, validClaims(), jwa.HS256(), rsaJSON, kid("rsa-1")), "token alg \"HS256\" does not match key \"rsa-1\""},
		"HS256 keyed with EC PEM":   {sign(t, validClaims(), jwa.HS256(), ecPEM, kid("ec-1")), "token alg \"HS256\" does not match key \"ec-1\""},
		"HS256 with a JWKS oct key": {sign(t, validClaims(), jwa.HS256(), octKey, nil), "key \"shared\" is not an RS256 or ES256 signing key"},
		"HS256 with no kid":         {sign(t, validClaims(), jwa.HS256(), []byte(testSecret), nil), "no kid"},
		"RS256 naming the EC kid":   {sign(t, validClaims(), jwa.RS256(), rsaRaw, kid("ec-1")), "token alg \"RS256\" does not match key \"ec-1\""},
		"ES256 naming the RSA kid":  {sign(t, validClaims(), jwa.ES256(), ecRaw, kid("rsa-1")), "token alg \"ES256\" does not match key \"rsa-1\""},
		"RS384 with the RSA key":    {sign(t, validClaims(), jwa.RS384(), rsaKey, nil), "token alg \"RS384\" does not match"},
		"PS256 with the RSA key":    {sign(t, validClaims(), jwa.PS256(), rsaKey, nil), "token alg \"PS256\" does not match"},
		// Keys a token brings along must never be trusted or fetched.
		"embedded jwk header": {sign(t, validClaims(), jwa.RS256(), attacker, map[string]any{jws.KeyIDKey: "rsa-1", jws.JWKKey: attackerPub}), "failed to verify signature"},
		"jku header":          {sign(t, validClaims(), jwa.RS256(), attacker, map[string]any{jws.KeyIDKey: "rsa-1", jws.JWKSetURLKey: "https://evil.test/jwks"}), "failed to verify signature"},
		"key marked use=enc":  {sign(t, validClaims(), jwa.RS256(), encKey, nil), "key \"rsa-enc\" is not an RS256 or ES256 signing key"},
	}
	checkRejections(t, v, tests)
}

// hmacToken signs header and payload with HMAC-SHA256 by hand, so that the
// header can say anything.
func hmacToken(header, payload string, secret []byte) string {
	input := b64(header) + "." + b64(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func unsignedWithKid(tb testing.TB, kid string) string {
	tb.Helper()
	payload, err := json.Marshal(buildToken(tb, validClaims()))
	if err != nil {
		tb.Fatal(err)
	}
	h := jws.NewHeaders()
	if err := h.Set(jws.KeyIDKey, kid); err != nil {
		tb.Fatal(err)
	}
	out, err := jws.Sign(payload, jws.WithInsecureNoSignature(jws.WithProtectedHeaders(h)))
	if err != nil {
		tb.Fatalf("sign with none: %v", err)
	}
	return string(out)
}

func publicPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatalf("marshal public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func publicJSON(tb testing.TB, k jwk.Key) []byte {
	tb.Helper()
	pub, err := k.PublicKey()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := json.Marshal(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
