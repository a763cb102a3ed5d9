package gatewaytest

import (
	"net/http"
	"testing"

	"github.com/acme/dashboard-gateway/documents"
)

// Persisted is the automatic-persisted-queries extension carrying q's
// hash, for a request's "extensions".
func Persisted(q string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash(q)}}
}

// RegisterPersisted sends q with its hash, as a client does when the
// gateway did not know the hash.
func (e *Gateway) RegisterPersisted(tb testing.TB, q string) Result {
	tb.Helper()
	return e.PostJSON(tb, map[string]any{"query": q, "extensions": Persisted(q)})
}

// PostHash sends only q's hash, as a client does first.
func (e *Gateway) PostHash(tb testing.TB, q string) Result {
	tb.Helper()
	return e.PostJSON(tb, map[string]any{"extensions": Persisted(q)})
}

// Found reports whether a request by hash (PostHash) found its query:
// 200 with data and no error.
func (r Result) Found() bool {
	return r.Status == http.StatusOK && len(r.GQL.Errors) == 0 && len(r.GQL.Data) > 0
}
