package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/simulator"
)

// Ids are checked on the values the resolvers receive, whatever form the
// client wrote them in: a single value where a list is expected is a list
// of one (as a literal and as a variable), so it is checked as one too.
// None of these reaches a service.
func TestIDsAreCheckedAfterCoercion(t *testing.T) {
	joined := make([]string, 500)
	for i := range joined {
		joined[i] = fmt.Sprintf("u%d", i+1)
	}
	const byVar = `query($ids: [ID!]!) { dashboards(userIds: $ids) { profile { name } wallet { loyaltyPoints } orders { id } } }`
	tests := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"dot-dot as a single literal", `{ dashboards(userIds: "..") { wallet { loyaltyPoints } } }`, nil},
		{"path as a single literal", `{ dashboards(userIds: "../wallet") { orders { id } } }`, nil},
		{"empty as a single literal", `{ dashboards(userIds: "") { orders { id } } }`, nil},
		{"encoded slashes as a single variable", byVar, map[string]any{"ids": "..%2F..%2Fadmin"}},
		{"dot-dot as a single variable", byVar, map[string]any{"ids": ".."}},
		{"500 ids joined by commas", byVar, map[string]any{"ids": strings.Join(joined, ",")}},
		{"a bad id among good ones", byVar, map[string]any{"ids": []any{"u1", "u2/../u3"}}},
		{"a variable's default", `query($ids: [ID!]! = "..") { dashboards(userIds: $ids) { wallet { loyaltyPoints } } }`, nil},
		{"dashboard with a path", `{ dashboard(userId: "u1/../u2") { wallet { loyaltyPoints } } }`, nil},
	}
	e := newEnv(t, envOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sim.ResetStats()
			r := e.post(t, tt.query, tt.vars)
			if len(r.gql.Errors) != 1 || r.gql.Errors[0].code() != "BAD_USER_INPUT" {
				t.Errorf("%s; want one BAD_USER_INPUT", r.body)
			}
			if calls := e.callCounts(); len(calls) != 0 {
				t.Errorf("downstream calls %v; want none", calls)
			}
		})
	}
	// An ID written as an integer is coerced to a valid id and runs.
	e.sim.ResetStats()
	r := e.post(t, `{ dashboards(userIds: 7) { userId } }`, nil)
	if len(r.gql.Errors) != 0 || !strings.Contains(string(r.gql.Data), `"userId":"7"`) {
		t.Errorf("dashboards(userIds: 7): %s; want the dashboard of user 7", r.body)
	}
}

// One client asking for many dashboards holds at most its share of a
// service's calls in flight: its own calls wait for each other, and another
// client's call still gets through at once instead of being shed or queued
// behind them.
func TestOneClientCannotTakeEveryCall(t *testing.T) {
	e := newEnv(t, envOptions{
		behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 150 * time.Millisecond}}},
		policies:  map[downstream.Service]string{downstream.Wallet: "max-in-flight=4,share=50%,attempts=1"},
		deadline:  20 * time.Second,
		edit:      func(o *config.Config) { o.Auth.Secret = testSecret },
	})
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i+1)
	}
	admin := "Bearer " + token(t, "ops", time.Hour, "dashboard:admin", []byte(testSecret))
	var wg sync.WaitGroup
	var big result
	wg.Go(func() {
		big = e.post(t, `query($ids: [ID!]!) { dashboards(userIds: $ids) { wallet { loyaltyPoints } } }`,
			map[string]any{"ids": ids}, "Authorization", admin)
	})
	// The big request is in: its client holds its share (2 of 4) and waits.
	e.waitFor(t, simulator.Wallet, "the big request's calls", func(s simulator.Stats) bool { return s.InFlight == 2 })
	small := e.post(t, `{ dashboard(userId: "u42") { wallet { loyaltyPoints } } }`, nil,
		"Authorization", "Bearer "+token(t, "u42", time.Hour, "", []byte(testSecret)))
	wg.Wait()
	if len(small.gql.Errors) != 0 {
		t.Errorf("the other client's dashboard: %s; want its wallet", small.body)
	}
	if len(big.gql.Errors) != 0 {
		t.Errorf("the big request: %d errors, first %+v; want all 20 wallets (its calls wait for each other)", len(big.gql.Errors), big.gql.Errors[0])
	}
	calls := e.sim.Calls(simulator.Wallet)
	order := slices.IndexFunc(calls, func(c simulator.Call) bool { return c.Subject == "u42" })
	if len(calls) != 21 || order < 0 || order > 6 {
		t.Errorf("the other client's call came %d of %d wallet calls; want it among the first few, not queued behind the big request", order+1, len(calls))
	}
	if s := e.sim.Stats(simulator.Wallet); s.PeakInFlight > 4 {
		t.Errorf("wallet: %d calls at once at most; want at most 4", s.PeakInFlight)
	}
}

// The REST view answers a refused dashboard with the status its error code
// calls for.
func TestRESTStatusFollowsTheCode(t *testing.T) {
	e := authEnv(t, nil)
	u1 := "Bearer " + token(t, "u1", time.Hour, "", []byte(testSecret))
	tests := []struct {
		name   string
		path   string
		header []string
		status int
		code   string
	}{
		{"own", "/dashboard/u1", []string{"Authorization", u1}, 200, ""},
		{"another user's", "/dashboard/u2", []string{"Authorization", u1}, 403, "FORBIDDEN"},
		{"no token", "/dashboard/u1", nil, 401, "UNAUTHENTICATED"},
		{"bad id", "/dashboard/..%2F..%2Fadmin", []string{"Authorization", u1}, 400, "BAD_USER_INPUT"},
		{"id too long", "/dashboard/" + strings.Repeat("u", 65), []string{"Authorization", u1}, 400, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(t, tt.path, tt.header...)
			var body restJSON
			decode(t, r.body, &body)
			if r.status != tt.status {
				t.Errorf("%d %s; want %d", r.status, r.body, tt.status)
			}
			if tt.code != "" && (len(body.Errors) == 0 || body.Errors[0].code() != tt.code) {
				t.Errorf("%s; want %s", r.body, tt.code)
			}
			for _, err := range body.Errors {
				if strings.Contains(string(r.body), `"locations"`) {
					t.Errorf("error %+v carries locations in a query the caller never wrote", err)
				}
			}
		})
	}
}

// With introspection off, asking for the schema is the client's mistake: a
// validation error, not an internal one (and nothing is logged as an error).
func TestIntrospectionOffIsAValidationError(t *testing.T) {
	e := newEnv(t, envOptions{edit: func(o *config.Config) { o.Introspection = "off" }})
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Dashboard") { name } }`,
		`{ ...F } fragment F on Query { ... on Query { __schema { queryType { name } } } }`,
	} {
		r := e.post(t, q, nil)
		if r.status != 200 || len(r.gql.Errors) != 1 || r.gql.Errors[0].code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: %d %s; want 200 with one GRAPHQL_VALIDATION_FAILED", q, r.status, r.body)
		}
	}
	if r := e.post(t, `{ __typename dashboard(userId: "u1") { __typename } }`, nil); len(r.gql.Errors) != 0 {
		t.Errorf("__typename with introspection off: %s; want data", r.body)
	}
	for _, l := range e.logs.lines() {
		if l["level"] == "ERROR" {
			t.Errorf("logged as an error: %s", l["_raw"])
		}
	}
}

// A client that stops sending its body halfway gets its answer at its
// deadline, not at the server's read timeout (10 s here).
func TestStalledBodyIsAnsweredByTheDeadline(t *testing.T) {
	e := newEnv(t, envOptions{})
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // fail, do not hang
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/query", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Timeout-Ms", "100")
	go func() { _, _ = pw.Write([]byte(`{"query": "{ dashboard(userId: \"u1\") `)) }() // and nothing more
	r := e.do(t, req)
	if r.elapsed > 5*time.Second || len(r.gql.Errors) != 1 || r.gql.Errors[0].code() != "DEADLINE_EXCEEDED" {
		t.Errorf("after %v: %d %s; want DEADLINE_EXCEEDED at the 100ms deadline", r.elapsed, r.status, r.body)
	}
}

// GET runs queries only, also when the request names its document by a
// hash or an id instead of sending it.
func TestGETRunsOnlyQueriesWhateverNamesThem(t *testing.T) {
	const mutation = `mutation M { __typename }`
	manifest := documents.Manifest{documents.Hash(mutation): mutation}
	e := newEnv(t, envOptions{edit: func(o *config.Config) { o.TrustedDocuments = manifestFile(t, manifest) }})
	for _, path := range []string{
		"/query?documentId=sha256:" + documents.Hash(mutation),
		"/query?extensions=" + `%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22` + documents.Hash(mutation) + `%22%7D%7D`,
	} {
		r := e.get(t, path)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d %s; want 405 with Allow: POST", path, r.status, r.body)
		}
	}
}

// APQ remembers a query only once it has been accepted to run: a document
// that does not parse, or that the limits refuse, is not stored under its
// hash.
func TestAPQStoresOnlyDocumentsThatRun(t *testing.T) {
	e := newEnv(t, envOptions{})
	pq := func(q string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash(q)}}
	}
	for _, q := range []string{
		`{ dashboard(userId: "u1") { `,                                  // does not parse
		`{ dashboard(userId: "u1") { nope } }`,                          // does not validate
		`{ dashboard(userId: "u1") { ` + aliases(25, "userId") + ` } }`, // over the alias limit
	} {
		if r := e.postRaw(t, map[string]any{"query": q, "extensions": pq(q)}); len(r.gql.Errors) == 0 {
			t.Fatalf("%q ran: %s", q, r.body)
		}
		r := e.postRaw(t, map[string]any{"extensions": pq(q)})
		checkOutcome(t, "by hash after "+q, r, "PERSISTED_QUERY_NOT_FOUND")
	}
}
