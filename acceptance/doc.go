// Package acceptance is the end-to-end suite: tests of the product's
// behaviour through the whole stack — the gateway as app.New builds it for
// `go run .`, over loopback HTTP, in front of the simulated services —
// rather than of one package's own code. Every test builds its gateway with
// package gatewaytest; the tests of package gateway's own code (its limits
// and protections, GET and REST rules, CORS and headers, rate limits, the
// APQ store, authentication) and every benchmark stay beside it, in
// gateway/.
//
// The suite covers:
//
//   - the full dashboard and partial answers: one service failing or
//     refusing connections, the others intact, errors that leak nothing
//     and are logged with the request id (dashboard_test.go), and every
//     service × fault × policy (faultmatrix_test.go);
//   - the request deadline, the Timeout header, client disconnects and
//     slow uploads (deadline_test.go); bodies that stall, trickle or are
//     too large, answered by the deadline and their connections closed,
//     500 at once too (stalledbody_test.go);
//   - @defer over multipart/mixed (defer_test.go);
//   - downstream calls: field selection, batching, deduplication, list
//     arguments (calls_test.go), goroutines per dashboard (goroutines_test.go);
//   - resilience over HTTP: breaker, bulkhead, field budgets, h2c,
//     deadline propagation (resilience_test.go), shedding
//     (overload_test.go) and a chaos soak (soak_test.go);
//   - the response cache and stale-if-error (cache_test.go);
//   - replicas sharing Redis (replicas_test.go);
//   - metrics, tracing, Server-Timing, field timing, the access log and
//     readiness (observability_test.go);
//   - traces exported over OTLP to a real OpenTelemetry Collector
//     (tools/otelcol, built once per version of its sources) and read
//     back from its file exporter (otelcol_test.go);
//   - the GraphQL-over-HTTP audit suite (audit_test.go) and the
//     playground in headless Chromium (playground_browser_test.go);
//   - the differential test (differential_test.go): random requests
//     (package gatewaytest/docgen) to the fast path and to gqlgen's
//     executor (-gqlgen-only) over the same simulated world, which must
//     answer alike; DIFF_SEED reruns its fresh-seed run.
//
// The package holds no code but this comment. Run the suite with
//
//	go test ./acceptance
//
// and as CI does, with the race detector: go test -race ./acceptance.
// TestMain checks that no test leaks a goroutine.
package acceptance
