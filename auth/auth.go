// Package auth authenticates the gateway's callers with JWT bearer tokens.
//
// A Verifier checks a token's signature against either an HS256 shared secret
// or the RS256/ES256 keys of a JWKS document (fetched at start-up and kept
// fresh in the background), then its time claims, subject, issuer and
// audience, and turns it into an Identity. Middleware guards an http.Handler
// with a Verifier and answers 401 with a GraphQL-shaped body when the
// request has no valid token.
//
// The signing algorithm always comes from the configuration and the key,
// never from the token alone: unsigned ("alg": "none") tokens and tokens that
// name another algorithm than their key's are rejected, and so are tokens
// with a "crit" header: no critical extension is understood. All token and key
// handling is done by github.com/lestrrat-go/jwx/v3.
//
// It does not issue tokens, does not decide what an Identity may read beyond
// Identity.CanRead (the resolvers ask it and answer FORBIDDEN), and does not
// fetch keys named by a token (jku, x5u): only the configured JWKS URL.
package auth

import (
	"context"
	"errors"
)

// ErrInvalidToken is wrapped by every error Verify returns: the token is
// missing, malformed, too large, badly signed, or its claims do not hold.
var ErrInvalidToken = errors.New("invalid token")

// ErrExpired is also wrapped, next to ErrInvalidToken, when the only thing
// wrong with an otherwise valid token is that its "exp" has passed.
var ErrExpired = errors.New("token expired")

// Identity is who a valid token says the caller is.
type Identity struct {
	// Subject is the token's "sub" claim: non-empty, at most 256 bytes.
	Subject string
	// Admin is true when the token's "scope" or "scp" claim holds the
	// configured admin scope.
	Admin bool
}

// CanRead reports whether the caller may read the dashboard of userID: an
// admin may read anyone's, everyone else only their own. The zero Identity
// may read nothing.
func (id Identity) CanRead(userID string) bool {
	if id.Admin {
		return true
	}
	return id.Subject != "" && id.Subject == userID
}

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the Identity in ctx and true, or the zero Identity and
// false when ctx has none (the request did not pass through Middleware).
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok
}

// Subject returns the subject of the identity in ctx, or "" when there is
// none (as downstream.Config.Caller wants it).
func Subject(ctx context.Context) string {
	id, _ := FromContext(ctx)
	return id.Subject
}
