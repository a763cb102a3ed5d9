package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/httprc/v3/errsink"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// shutdownWait bounds how long a failed New waits for the cache's goroutines.
const shutdownWait = 5 * time.Second

// remoteKeys is a JWKS document held by a jwk.Cache: fetched by startKeys,
// refreshed in the background every Config.RefreshInterval until the
// context given to startKeys ends, and read without locking by Verify.
type remoteKeys struct {
	url   string
	cache *jwk.Cache
	set   jwk.CachedSet
}

// startKeys fetches cfg.JWKSURL and starts refreshing it. It fails when the
// first fetch fails or the document holds no key usable for RS256 or ES256,
// so a gateway that could never accept a token does not start.
func startKeys(ctx context.Context, cfg Config) (*remoteKeys, error) {
	u := cfg.JWKSURL
	client := httprc.NewClient(
		httprc.WithWorkers(1),
		httprc.WithHTTPClient(jwk.WrapHTTPClientDefaults(cfg.HTTPClient)),
		// Only the configured URL is ever fetched.
		httprc.WithWhitelist(httprc.WhitelistFunc(func(s string) bool { return s == u })),
		httprc.WithErrorSink(errsink.NewFunc(func(ctx context.Context, err error) {
			cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "auth: JWKS refresh failed; keeping the keys held",
				slog.String("error", err.Error()))
		})),
	)
	cache, err := jwk.NewCache(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("auth: JWKSURL: start key cache: %w", err)
	}
	keys := &remoteKeys{url: u, cache: cache}
	if err := keys.start(ctx, cfg); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
		defer cancel()
		_ = cache.Shutdown(sctx)
		return nil, err
	}
	return keys, nil
}

// start registers the URL with the cache and fetches it once.
func (k *remoteKeys) start(ctx context.Context, cfg Config) error {
	// Without WaitReady(false) a JWKS that cannot be fetched would block
	// Register until ctx ends; Refresh instead reports the first fetch's error.
	err := k.cache.Register(ctx, k.url,
		jwk.WithHTTPClient(jwk.WrapHTTPClientDefaults(cfg.HTTPClient)),
		jwk.WithConstantInterval(cfg.RefreshInterval),
		jwk.WithWaitReady(false))
	if err != nil {
		return fmt.Errorf("auth: JWKSURL: register: %w", err)
	}
	set, err := k.cache.Refresh(ctx, k.url)
	if err != nil {
		return fmt.Errorf("auth: JWKSURL: first fetch: %w", err)
	}
	if !hasUsableKey(set) {
		return errors.New("auth: JWKSURL: the document has no RSA or EC P-256 signing key with a kid")
	}
	if k.set, err = k.cache.CachedSet(k.url); err != nil {
		return fmt.Errorf("auth: JWKSURL: %w", err)
	}
	return nil
}

// refresh fetches the document now rather than at its next scheduled time.
// A failed fetch keeps the keys held, as a failed background refresh does.
func (k *remoteKeys) refresh(ctx context.Context) error {
	if _, err := k.cache.Refresh(ctx, k.url); err != nil {
		return fmt.Errorf("auth: refresh JWKS: %w", err)
	}
	return nil
}

// FetchKeys implements jws.KeyProvider: it hands jws the one key the
// token's "kid" names, with the one algorithm that key allows, and refuses
// the token when its header asks for any other algorithm. That is what stops
// "alg": "none" and algorithm confusion (say, HS256 keyed with an RSA public
// key): the token never chooses how it is checked.
func (k *remoteKeys) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	hdr := sig.ProtectedHeaders()
	kid, ok := hdr.KeyID()
	if !ok || kid == "" {
		return errors.New("token header has no kid")
	}
	key, ok := k.set.LookupKeyID(kid)
	if !ok {
		return fmt.Errorf("no key with kid %q in the JWKS", kid)
	}
	want, ok := signingAlgorithm(key)
	if !ok {
		return fmt.Errorf("key %q is not an RS256 or ES256 signing key", kid)
	}
	if got, ok := hdr.Algorithm(); !ok || got.String() != want.String() {
		return fmt.Errorf("token alg %q does not match key %q (%s)", got, kid, want)
	}
	sink.Key(want, key)
	return nil
}

// signingAlgorithm returns the algorithm key verifies: RS256 for RSA keys,
// ES256 for EC P-256 keys. Keys of any other type or curve, keys whose "alg"
// says otherwise, and keys whose "use" is not "sig" verify nothing.
func signingAlgorithm(key jwk.Key) (jwa.SignatureAlgorithm, bool) {
	var want jwa.SignatureAlgorithm
	switch key.KeyType() {
	case jwa.RSA():
		want = jwa.RS256()
	case jwa.EC():
		// Public and private EC keys both say their curve.
		ec, ok := key.(interface {
			Crv() (jwa.EllipticCurveAlgorithm, bool)
		})
		if !ok {
			return want, false
		}
		if crv, ok := ec.Crv(); !ok || crv.String() != jwa.P256().String() {
			return want, false
		}
		want = jwa.ES256()
	default:
		return want, false
	}
	if alg, ok := key.Algorithm(); ok && alg.String() != want.String() {
		return want, false
	}
	if use, ok := key.KeyUsage(); ok && use != "" && use != jwk.ForSignature.String() {
		return want, false
	}
	return want, true
}

// hasUsableKey reports whether set has a key that FetchKeys would hand out.
func hasUsableKey(set jwk.Set) bool {
	for i := range set.Len() {
		key, _ := set.Key(i)
		if kid, ok := key.KeyID(); !ok || kid == "" {
			continue
		}
		if _, ok := signingAlgorithm(key); ok {
			return true
		}
	}
	return false
}
