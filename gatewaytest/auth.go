package gatewaytest

import (
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/acme/dashboard-gateway/clientaddr"
	"github.com/acme/dashboard-gateway/config"
)

// Secret is an HS256 key for tests of authentication, for the gateway's
// configuration and for Token.
const Secret = "0123456789abcdef0123456789abcdef-test-secret"

// Token is a JWT for subject sub with the scope claim scope (none if ""),
// expiring exp from now, signed with HS256 and key (usually Secret).
func Token(tb testing.TB, sub string, exp time.Duration, scope string, key []byte) string {
	tb.Helper()
	b := jwt.NewBuilder().Subject(sub).Expiration(time.Now().Add(exp)).IssuedAt(time.Now().Add(-time.Minute))
	if scope != "" {
		b = b.Claim("scope", scope)
	}
	tok, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), key))
	if err != nil {
		tb.Fatal(err)
	}
	return string(signed)
}

// TrustProxies makes o trust the proxies in trusted (CIDR prefixes, comma
// separated) to set X-Forwarded-For, for Options.Edit.
func TrustProxies(tb testing.TB, o *config.Config, trusted string) {
	tb.Helper()
	prefixes, err := clientaddr.ParsePrefixes(trusted)
	if err != nil {
		tb.Fatal(err)
	}
	o.TrustedProxies, o.ClientIPHeader = prefixes, "X-Forwarded-For"
}
