// Package requestid gives every inbound request an id, carries it in the
// context, and echoes it in the response, so one id ties together the
// client's view, the gateway's logs and the downstream services' logs.
package requestid

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
)

// Header is the header that carries the id, inbound, outbound and downstream.
const Header = "X-Request-Id"

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the id in ctx, or "" when there is none.
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New returns a fresh random id: 16 bytes, hex-encoded. They come from
// the runtime's per-thread ChaCha8 generator, seeded from the system's
// entropy (math/rand/v2's top-level functions): an id must be unique, not
// secret, and crypto/rand cost about 3 µs of CPU per request (perf).
func New() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// Middleware keeps the client's X-Request-Id when it is a plausible id (1 to
// 128 characters of letters, digits and -_.:/) and makes a new one otherwise,
// so a client cannot smuggle anything into logs or downstream headers. The id
// goes into the request's context and the response's X-Request-Id header.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !valid(id) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}

func valid(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '/') {
			return false
		}
	}
	return true
}
