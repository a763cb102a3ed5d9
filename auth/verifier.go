package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/acme/dashboard-gateway/contract"
)

// Verifier checks tokens against one Config. It is safe for concurrent use.
type Verifier struct {
	// opts are the jwt.Parse options every token is checked with: the key
	// (or key provider) and the claim rules.
	opts       []jwt.ParseOption
	adminScope string
	log        *slog.Logger
	keys       *remoteKeys // nil when verifying with a Secret
}

// New checks cfg and returns a Verifier for it. A bad setting fails with an
// error that names it. With a JWKSURL, New fetches the document before it
// returns (failing if it cannot, or if the document holds no usable key) and
// refreshes it in the background until ctx ends; after that the last keys
// fetched stay in use. With a Secret, ctx is not used.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	opts := []jwt.ParseOption{
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(cfg.Now)),
		jwt.WithAcceptableSkew(cfg.Leeway),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.SubjectKey),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v := &Verifier{adminScope: cfg.AdminScope, log: cfg.Logger}
	if len(cfg.Secret) > 0 {
		opts = append(opts, jwt.WithKeyProvider(noCritical{secretKey(cfg.Secret)}))
	} else {
		if v.keys, err = startKeys(ctx, cfg); err != nil {
			return nil, err
		}
		opts = append(opts, jwt.WithKeyProvider(noCritical{v.keys}))
	}
	v.opts = opts
	return v, nil
}

// Verify checks token (the part after "Bearer ") and returns the Identity
// it carries. Every error wraps ErrInvalidToken, and ErrExpired too when the
// token has expired. The error text says why, for logs; it never holds the
// token or key material, but it may quote claims and header values, so it is
// not for clients.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if err := checkSize("token", token, MaxTokenBytes); err != nil {
		return Identity{}, err
	}
	opts := append(slices.Clip(v.opts), jwt.WithContext(ctx))
	tok, err := jwt.ParseString(token, opts...)
	if err != nil {
		if errors.Is(err, jwt.TokenExpiredError()) {
			return Identity{}, fmt.Errorf("auth: %w (%w): %w", ErrInvalidToken, ErrExpired, err)
		}
		return Identity{}, fmt.Errorf("auth: %w: %w", ErrInvalidToken, err)
	}
	sub, _ := tok.Subject()
	if err := checkSize("sub claim", sub, MaxSubjectBytes); err != nil {
		return Identity{}, err
	}
	if !contract.ValidSubject(sub) {
		// It is forwarded downstream in a header and keys shared calls:
		// a sub that a header cannot carry would break every call.
		return Identity{}, fmt.Errorf("auth: %w: sub claim %q has characters a header cannot carry (visible ASCII only)",
			ErrInvalidToken, sub)
	}
	return Identity{Subject: sub, Admin: hasScope(tok, v.adminScope)}, nil
}

// checkSize refuses an empty value, or one over limit bytes; what names it.
func checkSize(what, value string, limit int) error {
	switch {
	case value == "":
		return fmt.Errorf("auth: %w: empty %s", ErrInvalidToken, what)
	case len(value) > limit:
		return fmt.Errorf("auth: %w: %s is %d bytes, over the limit of %d", ErrInvalidToken, what, len(value), limit)
	}
	return nil
}

// secretKey is the jws.KeyProvider of an HS256 secret. jwt.WithKey would
// verify with HS256 whatever the token's header says; this also refuses a
// token whose header names another algorithm, as the JWKS keys do.
type secretKey []byte

// FetchKeys implements jws.KeyProvider.
func (k secretKey) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	if got, ok := sig.ProtectedHeaders().Algorithm(); !ok || got.String() != jwa.HS256().String() {
		return fmt.Errorf("token alg %q is not HS256", got)
	}
	sink.Key(jwa.HS256(), []byte(k))
	return nil
}

// noCritical refuses, before its KeyProvider hands out a key, a token
// whose header has a "crit" parameter. RFC 7515 section 4.1.11 says a
// recipient must refuse a token whose "crit" lists an extension it does
// not understand; this verifier understands none, and a "crit" that is
// empty or lists registered names ("alg", "exp") is invalid anyway. jws
// only checks "crit" when asked (jws.WithCritValidation), which jwt.Parse
// with a key provider cannot pass on.
type noCritical struct{ jws.KeyProvider }

// FetchKeys implements jws.KeyProvider.
func (p noCritical) FetchKeys(ctx context.Context, sink jws.KeySink, sig *jws.Signature, msg *jws.Message) error {
	for _, h := range []jws.Headers{sig.ProtectedHeaders(), sig.PublicHeaders()} {
		if h != nil && h.Has(jws.CriticalKey) {
			crit, _ := h.Critical()
			return fmt.Errorf("token header \"crit\" %q: no critical extension is understood here", crit)
		}
	}
	return p.KeyProvider.FetchKeys(ctx, sink, sig, msg)
}

// refreshKeys fetches the JWKS document now instead of at the next
// interval. It does nothing when verifying with a Secret.
func (v *Verifier) refreshKeys(ctx context.Context) error {
	if v.keys == nil {
		return nil
	}
	return v.keys.refresh(ctx)
}

// hasScope reports whether tok grants scope in OAuth 2.0's "scope" claim
// (RFC 8693, a space-separated string) or in the "scp" claim some providers
// send instead, as an array (Okta) or a space-separated string (Entra ID).
// Scopes are separated by single spaces (RFC 6749 section 3.3), nothing
// else: "dashboard:admin\tx" is one scope, not two.
func hasScope(tok jwt.Token, scope string) bool {
	for _, name := range []string{"scope", "scp"} {
		var v any
		if err := tok.Get(name, &v); err != nil {
			continue
		}
		switch v := v.(type) {
		case string:
			if slices.Contains(strings.Split(v, " "), scope) {
				return true
			}
		case []string:
			if slices.Contains(v, scope) {
				return true
			}
		case []any:
			if slices.Contains(v, any(scope)) {
				return true
			}
		}
	}
	return false
}
