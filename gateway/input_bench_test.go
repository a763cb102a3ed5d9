package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/gatewaytest"
)

// BenchmarkDecodeRefusal sends the red team's variables and extensions
// (250 KB of JSON, 100,000 brackets deep) to the gateway's whole handler
// in-process, middleware included, and measures what a refusal costs; the
// GET cases are as large as the default -max-header-bytes lets through
// (the handler alone has no such cap, so they are measured at full size
// too). See BENCHMARKS.md (hostile input).
func BenchmarkDecodeRefusal(b *testing.B) {
	e := gatewaytest.New(b, gatewaytest.Options{Bench: true})
	h := e.Server.Config.Handler
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, in := range decodeCases(250_000, 100_000) {
			b.Run(method+"/"+in.name, func(b *testing.B) {
				body, target := in.body(), "/query"
				if method == http.MethodGet {
					body, target = "", in.target()
				}
				// Parsed once: what parsing the request line costs is the
				// server's, not the handler's.
				tmpl := httptest.NewRequest(method, target, nil)
				tmpl.Header.Set("Content-Type", "application/json")
				do := func() *httptest.ResponseRecorder {
					r := tmpl.Clone(context.Background())
					if method == http.MethodPost {
						r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					return w
				}
				if w := do(); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"reason":"`+in.reason+`"`) {
					b.Fatalf("%d %.300s; want 400 with reason %s", w.Code, w.Body, in.reason)
				}
				b.ReportAllocs()
				b.SetBytes(int64(len(body) + len(target)))
				for b.Loop() {
					do()
				}
			})
		}
	}
}
