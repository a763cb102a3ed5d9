// Package gatewaytest serves the whole gateway, built by app.New as
// `go run .` builds it, over loopback HTTP in front of the simulated
// services (package simulator), for tests: the gateway's own, the
// end-to-end suite (package acceptance) and the example clients'.
//
// It is test support only: nothing but tests may import it. Its helpers
// call tb.Fatal on failure, and everything a gateway started stops when
// the test ends. The simulated services answer at once unless told
// otherwise, so partial answers are deterministic.
package gatewaytest

import "testing"

// Start serves a gateway for the rest of the test and returns its GraphQL
// endpoint's URL (http://127.0.0.1:port/query), for clients that need
// nothing more.
func Start(tb testing.TB, o Options) string {
	tb.Helper()
	return New(tb, o).URL + "/query"
}
