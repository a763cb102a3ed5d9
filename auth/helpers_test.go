package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"go.uber.org/goleak"
)

// TestMain checks that every JWKS refresher stops once its context ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testNow is the clock every test verifies against.
var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// testSecret is an HS256 secret of exactly the minimum length.
const testSecret = "0123456789abcdef0123456789abcdef"

// claims are a token's claims; validClaims returns a fresh set that every
// verifier in these tests accepts.
type claims map[string]any

func validClaims() claims {
	return claims{
		"sub": "user-1",
		"exp": testNow.Add(5 * time.Minute),
		"iat": testNow.Add(-time.Minute),
		"iss": "https://issuer.test",
		"aud": []string{"dashboard-gateway"},
	}
}

func (c claims) with(name string, v any) claims {
	c[name] = v
	return c
}

func (c claims) without(name string) claims {
	delete(c, name)
	return c
}

func buildToken(tb testing.TB, c claims) jwt.Token {
	tb.Helper()
	b := jwt.NewBuilder()
	for name, v := range c {
		b = b.Claim(name, v)
	}
	tok, err := b.Build()
	if err != nil {
		tb.Fatalf("build token %v: %v", c, err)
	}
	return tok
}

// sign signs c with key under alg; key is a raw key or a jwk.Key, whose kid
// (if any) goes into the header. Extra header fields come from hdr.
func sign(tb testing.TB, c claims, alg jwa.SignatureAlgorithm, key any, hdr map[string]any) string {
	tb.Helper()
	var subs []jwt.Option
	if len(hdr) > 0 {
		h := jws.NewHeaders()
		for name, v := range hdr {
			if err := h.Set(name, v); err != nil {
				tb.Fatalf("set header %s: %v", name, err)
			}
		}
		subs = append(subs, jws.WithProtectedHeaders(h))
	}
	out, err := jwt.Sign(buildToken(tb, c), jwt.WithKey(alg, key, subs...))
	if err != nil {
		tb.Fatalf("sign %s: %v", alg, err)
	}
	return string(out)
}

// unsigned returns c as an "alg": "none" token.
func unsigned(tb testing.TB, c claims) string {
	tb.Helper()
	out, err := jwt.Sign(buildToken(tb, c), jwt.WithInsecureNoSignature())
	if err != nil {
		tb.Fatalf("sign with none: %v", err)
	}
	return string(out)
}

func newRSAKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("generate RSA key: %v", err)
	}
	return k
}

func newECKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("generate EC key: %v", err)
	}
	return k
}

// privateJWK wraps raw in a jwk.Key with kid (and alg, when valid).
func privateJWK(tb testing.TB, raw any, kid string, alg jwa.SignatureAlgorithm) jwk.Key {
	tb.Helper()
	k, err := jwk.Import(raw)
	if err != nil {
		tb.Fatalf("import %T: %v", raw, err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		tb.Fatalf("set kid: %v", err)
	}
	if alg != (jwa.SignatureAlgorithm{}) {
		if err := k.Set(jwk.AlgorithmKey, alg); err != nil {
			tb.Fatalf("set alg: %v", err)
		}
	}
	return k
}

// rawKey returns the Go key inside k.
func rawKey[T any](tb testing.TB, k jwk.Key) T {
	tb.Helper()
	var raw any
	if err := jwk.Export(k, &raw); err != nil {
		tb.Fatalf("export key: %v", err)
	}
	out, ok := raw.(T)
	if !ok {
		tb.Fatalf("exported a %T; want a %T", raw, out)
	}
	return out
}

// jwksServer serves a JWKS document that tests can replace, or fail.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	status int
}

// serveJWKS serves the public halves of keys over plain HTTP on 127.0.0.1.
func serveJWKS(tb testing.TB, keys ...jwk.Key) *jwksServer {
	tb.Helper()
	s := &jwksServer{}
	s.setKeys(tb, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != http.StatusOK {
		http.Error(w, "unavailable", s.status)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(s.body)
}

// setKeys makes the server answer with the public halves of keys.
func (s *jwksServer) setKeys(tb testing.TB, keys ...jwk.Key) {
	tb.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := k.PublicKey()
		if err != nil {
			tb.Fatalf("public key: %v", err)
		}
		if err := set.AddKey(pub); err != nil {
			tb.Fatalf("add key: %v", err)
		}
	}
	body, err := json.Marshal(set)
	if err != nil {
		tb.Fatalf("marshal JWKS: %v", err)
	}
	s.setBody(http.StatusOK, body)
}

func (s *jwksServer) setBody(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

// mustNew returns a Verifier for cfg whose background work ends with the test.
func mustNew(tb testing.TB, cfg Config) *Verifier {
	tb.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	v, err := New(tb.Context(), cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return v
}
