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
	"github.com/acme/dashboard-gateway/gatewaytest"
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
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Sim.ResetStats()
			r := e.Post(t, tt.query, tt.vars)
			if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "BAD_USER_INPUT" {
				t.Errorf("%s; want one BAD_USER_INPUT", r.Body)
			}
			if calls := e.CallCounts(); len(calls) != 0 {
				t.Errorf("downstream calls %v; want none", calls)
			}
		})
	}
	// An ID written as an integer is coerced to a valid id and runs.
	e.Sim.ResetStats()
	r := e.Post(t, `{ dashboards(userIds: 7) { userId } }`, nil)
	if len(r.GQL.Errors) != 0 || !strings.Contains(string(r.GQL.Data), `"userId":"7"`) {
		t.Errorf("dashboards(userIds: 7): %s; want the dashboard of user 7", r.Body)
	}
}

// One client asking for many dashboards holds at most its share of a
// service's calls in flight: its own calls wait for each other, and another
// client's call still gets through at once instead of being shed or queued
// behind them.
func TestOneClientCannotTakeEveryCall(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{
		Behaviors: map[string]simulator.Behavior{simulator.Wallet: {Latency: simulator.Latency{Min: 150 * time.Millisecond}}},
		Policies:  map[downstream.Service]string{downstream.Wallet: "max-in-flight=4,share=50%,attempts=1"},
		Deadline:  20 * time.Second,
		Edit:      func(o *config.Config) { o.Auth.Secret = gatewaytest.Secret },
	})
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i+1)
	}
	admin := "Bearer " + gatewaytest.Token(t, "ops", time.Hour, "dashboard:admin", []byte(gatewaytest.Secret))
	var wg sync.WaitGroup
	var big gatewaytest.Result
	wg.Go(func() {
		big = e.Post(t, `query($ids: [ID!]!) { dashboards(userIds: $ids) { wallet { loyaltyPoints } } }`,
			map[string]any{"ids": ids}, "Authorization", admin)
	})
	// The big request is in: its client holds its share (2 of 4) and waits.
	e.WaitFor(t, simulator.Wallet, "the big request's calls", func(s simulator.Stats) bool { return s.InFlight == 2 })
	small := e.Post(t, `{ dashboard(userId: "u42") { wallet { loyaltyPoints } } }`, nil,
		"Authorization", "Bearer "+gatewaytest.Token(t, "u42", time.Hour, "", []byte(gatewaytest.Secret)))
	wg.Wait()
	if len(small.GQL.Errors) != 0 {
		t.Errorf("the other client's dashboard: %s; want its wallet", small.Body)
	}
	if len(big.GQL.Errors) != 0 {
		t.Errorf("the big request: %d errors, first %+v; want all 20 wallets (its calls wait for each other)", len(big.GQL.Errors), big.GQL.Errors[0])
	}
	calls := e.Sim.Calls(simulator.Wallet)
	order := slices.IndexFunc(calls, func(c simulator.Call) bool { return c.Subject == "u42" })
	if len(calls) != 21 || order < 0 || order > 6 {
		t.Errorf("the other client's call came %d of %d wallet calls; want it among the first few, not queued behind the big request", order+1, len(calls))
	}
	if s := e.Sim.Stats(simulator.Wallet); s.PeakInFlight > 4 {
		t.Errorf("wallet: %d calls at once at most; want at most 4", s.PeakInFlight)
	}
}

// The REST view answers a refused dashboard with the status its error code
// calls for.
func TestRESTStatusFollowsTheCode(t *testing.T) {
	e := authEnv(t, nil)
	u1 := "Bearer " + gatewaytest.Token(t, "u1", time.Hour, "", []byte(gatewaytest.Secret))
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
			r := e.Get(t, tt.path, tt.header...)
			var body restJSON
			gatewaytest.Decode(t, r.Body, &body)
			if r.Status != tt.status {
				t.Errorf("%d %s; want %d", r.Status, r.Body, tt.status)
			}
			if tt.code != "" && (len(body.Errors) == 0 || body.Errors[0].Code() != tt.code) {
				t.Errorf("%s; want %s", r.Body, tt.code)
			}
			for _, err := range body.Errors {
				if strings.Contains(string(r.Body), `"locations"`) {
					t.Errorf("error %+v carries locations in a query the caller never wrote", err)
				}
			}
		})
	}
}

// With introspection off, asking for the schema is the client's mistake: a
// validation error, not an internal one (and nothing is logged as an error).
func TestIntrospectionOffIsAValidationError(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.Introspection = "off" }})
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Dashboard") { name } }`,
		`{ ...F } fragment F on Query { ... on Query { __schema { queryType { name } } } }`,
	} {
		r := e.Post(t, q, nil)
		if r.Status != 200 || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: %d %s; want 200 with one GRAPHQL_VALIDATION_FAILED", q, r.Status, r.Body)
		}
	}
	if r := e.Post(t, `{ __typename dashboard(userId: "u1") { __typename } }`, nil); len(r.GQL.Errors) != 0 {
		t.Errorf("__typename with introspection off: %s; want data", r.Body)
	}
	for _, l := range e.Logs.Lines() {
		if l["level"] == "ERROR" {
			t.Errorf("logged as an error: %s", l["_raw"])
		}
	}
}

// A client that stops sending its body halfway gets its answer at its
// deadline, not at the server's read timeout (10 s here).
func TestStalledBodyIsAnsweredByTheDeadline(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // fail, do not hang
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+"/query", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Timeout-Ms", "100")
	go func() { _, _ = pw.Write([]byte(`{"query": "{ dashboard(userId: \"u1\") `)) }() // and nothing more
	r := e.Do(t, req)
	if r.Elapsed > 5*time.Second || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "DEADLINE_EXCEEDED" {
		t.Errorf("after %v: %d %s; want DEADLINE_EXCEEDED at the 100ms deadline", r.Elapsed, r.Status, r.Body)
	}
}

// GET runs queries only, also when the request names its document by a
// hash or an id instead of sending it.
func TestGETRunsOnlyQueriesWhateverNamesThem(t *testing.T) {
	const mutation = `mutation M { __typename }`
	manifest := documents.Manifest{documents.Hash(mutation): mutation}
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.TrustedDocuments = gatewaytest.ManifestFile(t, manifest) }})
	for _, path := range []string{
		"/query?documentId=sha256:" + documents.Hash(mutation),
		"/query?extensions=" + `%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22` + documents.Hash(mutation) + `%22%7D%7D`,
	} {
		r := e.Get(t, path)
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d %s; want 405 with Allow: POST", path, r.Status, r.Body)
		}
	}
}

// APQ remembers a query only once it has been accepted to run: a document
// that does not parse, or that the limits refuse, is not stored under its
// hash.
func TestAPQStoresOnlyDocumentsThatRun(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	pq := func(q string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash(q)}}
	}
	for _, q := range []string{
		`{ dashboard(userId: "u1") { `,                                  // does not parse
		`{ dashboard(userId: "u1") { nope } }`,                          // does not validate
		`{ dashboard(userId: "u1") { ` + aliases(25, "userId") + ` } }`, // over the alias limit
	} {
		if r := e.PostJSON(t, map[string]any{"query": q, "extensions": pq(q)}); len(r.GQL.Errors) == 0 {
			t.Fatalf("%q ran: %s", q, r.Body)
		}
		r := e.PostJSON(t, map[string]any{"extensions": pq(q)})
		checkOutcome(t, "by hash after "+q, r, "PERSISTED_QUERY_NOT_FOUND")
	}
}
