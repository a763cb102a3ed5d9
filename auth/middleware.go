package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/requestid"
)

// What a rejected client reads. The cause goes to the log only: jwx's error
// text can quote the token's header and claims.
const (
	msgMissing   = "missing bearer token"
	msgMalformed = "malformed authorization header"
	msgInvalid   = "invalid or expired token"
)

// The WWW-Authenticate challenges of RFC 6750 section 3.
const (
	challengeMissing   = `Bearer`
	challengeMalformed = `Bearer error="invalid_request"`
	challengeInvalid   = `Bearer error="invalid_token"`
)

// errSeveralHeaders is why a request with more than one Authorization
// header is refused: which one would count is ambiguous.
var errSeveralHeaders = errors.New("several Authorization headers")

// Middleware lets a request through to next only with an
// "Authorization: Bearer <token>" header (scheme in any case) whose token
// Verify accepts, and puts the token's Identity in the request's context
// (see FromContext). Any other request is answered 401 with a
// WWW-Authenticate challenge and a GraphQL-shaped body with code
// UNAUTHENTICATED and a fixed message; why it was refused is logged at info
// level with the request id.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r.Header)
		switch {
		case errors.Is(err, errSeveralHeaders):
			v.reject(w, r, challengeMalformed, msgMalformed, err)
			return
		case err != nil:
			v.reject(w, r, challengeMissing, msgMissing, err)
			return
		}
		id, err := v.Verify(r.Context(), token)
		if err != nil {
			v.reject(w, r, challengeInvalid, msgInvalid, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}

// bearerToken returns the token of the request's one Authorization header.
// The errors say what was wrong without quoting the header, which may hold
// another scheme's credentials.
func bearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", errors.New("no Authorization header")
	case 1:
	default:
		return "", errSeveralHeaders
	}
	scheme, token, _ := strings.Cut(values[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("authorization scheme is not Bearer")
	}
	token = strings.TrimLeft(token, " ")
	if token == "" {
		return "", errors.New("empty bearer token")
	}
	return token, nil
}

func (v *Verifier) reject(w http.ResponseWriter, r *http.Request, challenge, message string, cause error) {
	ctx := r.Context()
	v.log.LogAttrs(ctx, slog.LevelInfo, "auth: request rejected",
		slog.String("request_id", requestid.FromContext(ctx)),
		slog.String("reason", message),
		slog.String("error", cause.Error()))
	w.Header().Set("WWW-Authenticate", challenge)
	apierror.WriteHTTP(w, http.StatusUnauthorized, apierror.Unauthenticated, message)
}
