package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/acme/dashboard-gateway/contract"
)

// Defaults for the zero values of Config's fields.
const (
	// DefaultAdminScope is the scope that makes a token an admin's.
	DefaultAdminScope = "dashboard:admin"
	// DefaultLeeway is the clock skew allowed for "exp", "nbf" and "iat".
	DefaultLeeway = 30 * time.Second
	// DefaultRefreshInterval is how often the JWKS document is fetched again.
	DefaultRefreshInterval = 15 * time.Minute
	// DefaultFetchTimeout bounds each fetch of the JWKS document.
	DefaultFetchTimeout = 5 * time.Second
)

// Limits on what a token may be; they bound the work an unauthenticated
// caller can make the gateway do.
const (
	// MaxTokenBytes is the largest token Verify will parse (8 KiB).
	MaxTokenBytes = 8 << 10
	// MaxSubjectBytes is the longest "sub" claim Verify accepts; it must
	// also be header-safe (contract.ValidSubject).
	MaxSubjectBytes = contract.MaxSubjectBytes
	// minSecretBytes is the shortest HS256 secret: as long as the hash, as
	// RFC 7518 section 3.2 asks.
	minSecretBytes = 32
	// minRefreshInterval keeps a misconfiguration from hammering the
	// identity provider's JWKS endpoint.
	minRefreshInterval = time.Minute
)

// Config says how tokens are verified. Exactly one of Secret or JWKSURL must
// be set.
type Config struct {
	// Secret is the HS256 shared secret, at least 32 bytes. Tokens must then
	// be signed with HS256; any other algorithm is rejected.
	Secret []byte

	// JWKSURL is the URL of a JWKS document whose RSA keys verify RS256 and
	// whose EC P-256 keys verify ES256 tokens; a token's "kid" header picks
	// the key. It must be https, or http to a loopback host (tests, a local
	// sidecar). The document is fetched once by New, which fails if it
	// cannot, and then every RefreshInterval until New's context ends; a
	// failed refresh keeps the keys already held and is logged at warn.
	JWKSURL string

	// RefreshInterval is how often the JWKS document is fetched again.
	// Zero means DefaultRefreshInterval (15 minutes); less than a minute is
	// refused. JWKS only.
	RefreshInterval time.Duration

	// HTTPClient fetches the JWKS document. Nil means a client with a
	// DefaultFetchTimeout (5 s) timeout; a client without a Timeout gets
	// jwx's 30 s. Either way a redirect from https to http is refused.
	// JWKS only.
	HTTPClient *http.Client

	// Issuer, if set, must equal the token's "iss" claim.
	Issuer string

	// Audience, if set, must be one of the token's "aud" values.
	Audience string

	// AdminScope marks a token that may read any user's dashboard when its
	// "scope" claim (a space-separated string) or "scp" claim (an array of
	// strings, or a space-separated string) contains it. Empty means
	// DefaultAdminScope ("dashboard:admin").
	AdminScope string

	// Leeway is the clock skew allowed when checking "exp", "nbf" and
	// "iat". Zero means DefaultLeeway (30 s); negative is refused.
	Leeway time.Duration

	// Now is the clock tokens are checked against. Nil means time.Now.
	Now func() time.Time

	// Logger receives, at info level, why each request Middleware rejects
	// was rejected, and at warn level failed JWKS refreshes. Nil discards.
	Logger *slog.Logger
}

// withDefaults returns cfg with its zero fields filled in, or an error that
// names the first bad setting.
func (cfg Config) withDefaults() (Config, error) {
	switch {
	case len(cfg.Secret) > 0 && cfg.JWKSURL != "":
		return cfg, errors.New("auth: set exactly one of Secret and JWKSURL, not both")
	case len(cfg.Secret) == 0 && cfg.JWKSURL == "":
		return cfg, errors.New("auth: set one of Secret (HS256) or JWKSURL (RS256/ES256)")
	case len(cfg.Secret) > 0 && len(cfg.Secret) < minSecretBytes:
		return cfg, fmt.Errorf("auth: Secret is %d bytes; HS256 needs at least %d", len(cfg.Secret), minSecretBytes)
	}
	if cfg.JWKSURL != "" {
		if err := checkJWKSURL(cfg.JWKSURL); err != nil {
			return cfg, err
		}
	}
	if cfg.Leeway < 0 {
		return cfg, fmt.Errorf("auth: Leeway %v is negative", cfg.Leeway)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.RefreshInterval < 0 || cfg.RefreshInterval > 0 && cfg.RefreshInterval < minRefreshInterval {
		return cfg, fmt.Errorf("auth: RefreshInterval %v is below the minimum of %v", cfg.RefreshInterval, minRefreshInterval)
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if strings.ContainsFunc(cfg.AdminScope, unicode.IsSpace) {
		return cfg, fmt.Errorf("auth: AdminScope %q contains white space; scopes are space-separated", cfg.AdminScope)
	}
	if cfg.AdminScope == "" {
		cfg.AdminScope = DefaultAdminScope
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultFetchTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// The caller keeps its slice; a later write to it must not change
	// which tokens verify.
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	return cfg, nil
}

// checkJWKSURL refuses URLs the keys could be tampered with on the way from:
// only https, or plain http that never leaves the machine.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("auth: JWKSURL is not a valid URL")
	}
	if u.Host == "" {
		return fmt.Errorf("auth: JWKSURL %q has no host", u.Redacted())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("auth: JWKSURL %q must use https (plain http only to a loopback host)", u.Redacted())
	default:
		return fmt.Errorf("auth: JWKSURL %q must use https", u.Redacted())
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
