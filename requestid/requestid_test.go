package requestid

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name    string
		inbound string
		keep    bool
	}{
		{"kept", "abc-123_x.y:z/9", true},
		{"none sent", "", false},
		{"too long", strings.Repeat("a", 129), false},
		{"space", "a b", false},
		{"quote", `a"b`, false},
		{"unicode", "ä", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inCtx string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inCtx = FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.inbound != "" {
				req.Header.Set(Header, tt.inbound)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			echoed := rec.Header().Get(Header)
			if echoed != inCtx {
				t.Errorf("response header %q; context %q; want equal", echoed, inCtx)
			}
			if tt.keep && inCtx != tt.inbound {
				t.Errorf("id %q; want the inbound %q kept", inCtx, tt.inbound)
			}
			if !tt.keep && (inCtx == tt.inbound || len(inCtx) != 32) {
				t.Errorf("id %q; want a fresh 32-character id", inCtx)
			}
		})
	}
}
