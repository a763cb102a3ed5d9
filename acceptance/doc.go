// Package acceptance is the end-to-end suite: tests of the product's
// behaviour through the whole stack — the gateway as app.New builds it for
// `go run .`, over loopback HTTP, in front of the simulated services —
// rather than of one package's own code. Every test builds its gateway with
// package gatewaytest; the tests of package gateway's own code stay beside
// it, in gateway/.
//
// The package holds no code but this comment. Run the suite with
//
//	go test ./acceptance
//
// and as CI does, with the race detector: go test -race ./acceptance.
// TestMain checks that no test leaks a goroutine.
package acceptance
