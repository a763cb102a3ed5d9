package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/limits"
)

// badInput is one malformed or abusive request of the corpus.
type badInput struct {
	name    string
	method  string
	target  string // path and query string
	header  map[string]string
	body    string
	status  int    // as answered with application/json (the default): 400 for a malformed request, 200 for a document's errors
	gqlResp int    // as answered with application/graphql-response+json; 0: same as status
	code    string // extensions.code of the one error
	reason  string // its extensions.reason, if it must have one
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func aliases(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

func badInputs() []badInput {
	post := map[string]string{"Content-Type": "application/json"}
	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("u%d", i+1)
	}
	deep := strings.Repeat("{ a ", 2000) + strings.Repeat("}", 2000)
	var docs []badInput
	for _, h := range hostileDocuments() {
		docs = append(docs, badInput{h.name, "POST", "/query", post, jsonBody(map[string]any{"query": h.query, "variables": h.vars}), 200, 400, h.code, h.reason})
	}
	return append(docs, []badInput{
		{"malformed JSON", "POST", "/query", post, `{"query": "{ __typename }"`, 400, 0, "BAD_REQUEST", ""},
		{"not an object", "POST", "/query", post, `"{ __typename }"`, 400, 0, "BAD_REQUEST", ""},
		{"query of the wrong type", "POST", "/query", post, `{"query": 42}`, 400, 0, "BAD_REQUEST", ""},
		{"batched operations", "POST", "/query", post, `[{"query": "{ __typename }"}]`, 400, 0, "BAD_REQUEST", ""},
		{"empty body", "POST", "/query", post, ``, 400, 0, "BAD_REQUEST", ""},
		{"two JSON values", "POST", "/query", post, `{"query": "{ __typename }"} {}`, 400, 0, "BAD_REQUEST", ""},
		{"invalid UTF-8", "POST", "/query", post, "{\"query\": \"{ dashboard(userId: \\\"u\xff\\\") { userId } }\"}", 400, 0, "BAD_REQUEST", ""},
		{"no content type", "POST", "/query", nil, `{"query": "{ __typename }"}`, 415, 0, "BAD_REQUEST", ""},
		{"text/plain", "POST", "/query", map[string]string{"Content-Type": "text/plain"}, `{ __typename }`, 415, 0, "BAD_REQUEST", ""},
		{"form", "POST", "/query", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, `query=%7B__typename%7D`, 415, 0, "BAD_REQUEST", ""},
		{"latin-1 JSON", "POST", "/query", map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, `{"query": "{ __typename }"}`, 415, 0, "BAD_REQUEST", ""},
		{"huge body", "POST", "/query", post, `{"query": "` + strings.Repeat(" ", 300<<10) + `{ __typename }"}`, 413, 0, "BAD_REQUEST", ""},
		{"huge query", "POST", "/query", post, jsonBody(map[string]any{"query": "{ __typename " + strings.Repeat(" ", 30000) + "}"}), 200, 400, "LIMIT_EXCEEDED", "query_length"},
		{"deep nesting", "POST", "/query", post, jsonBody(map[string]any{"query": deep}), 200, 400, "GRAPHQL_PARSE_FAILED", ""},
		{"10,000 aliases", "POST", "/query", post, jsonBody(map[string]any{"query": "{ " + aliases(10000, "__typename") + "}"}), 200, 400, "LIMIT_EXCEEDED", "query_length"},
		{"too many aliases", "POST", "/query", post, jsonBody(map[string]any{"query": `{ dashboard(userId: "u1") { ` + aliases(25, "userId") + "} }"}), 200, 400, "LIMIT_EXCEEDED", "aliases"},
		{"too many root fields", "POST", "/query", post, jsonBody(map[string]any{"query": "{ " + aliases(11, `dashboard(userId: "u1") { userId }`) + "}"}), 200, 400, "LIMIT_EXCEEDED", "root_fields"},
		{"too costly", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($ids: [ID!]!) { dashboards(userIds: $ids) {
				orders(first: 50) { items { product { name price { formatted } } } }
				recommendations(first: 50) { product { name price { formatted } } } } }`,
			"variables": map[string]any{"ids": tooMany[:50]},
		}), 200, 400, "LIMIT_EXCEEDED", "cost"},
		{"51 ids", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($ids: [ID!]!) { dashboards(userIds: $ids) { userId } }`, "variables": map[string]any{"ids": tooMany},
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"out-of-range variable", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, "variables": map[string]any{"n": 51},
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"Int overflow", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, "variables": map[string]any{"n": 1 << 40},
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"wrongly typed variable", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($n: Int) { dashboard(userId: "u1") { orders(first: $n) { id } } }`, "variables": map[string]any{"n": "ten"},
		}), 200, 400, "GRAPHQL_VALIDATION_FAILED", ""},
		{"variables not an object", "POST", "/query", post, `{"query": "{ __typename }", "variables": [1]}`, 400, 0, "BAD_REQUEST", ""},
		{"bad id", "POST", "/query", post, jsonBody(map[string]any{"query": `{ dashboard(userId: "../admin") { userId } }`}), 200, 400, "BAD_USER_INPUT", ""},
		{"unknown operation name", "POST", "/query", post, `{"query": "query A { __typename }", "operationName": "B"}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", ""},
		{"syntax error", "POST", "/query", post, `{"query": "{ dashboard("}`, 200, 400, "GRAPHQL_PARSE_FAILED", ""},
		{"unknown field", "POST", "/query", post, `{"query": "{ nope }"}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", ""},
		{"mutation", "POST", "/query", post, `{"query": "mutation { __typename }"}`, 200, 400, "GRAPHQL_VALIDATION_FAILED", ""},
		{"GET mutation", "GET", "/query?query=mutation%20%7B%20__typename%20%7D", nil, "", 405, 0, "BAD_REQUEST", ""},
		{"GET bad escape", "GET", "/query?query=%zz", nil, "", 400, 0, "BAD_REQUEST", ""},
		{"GET without query", "GET", "/query", nil, "", 400, 0, "BAD_REQUEST", ""},
		{"PUT", "PUT", "/query", post, `{"query": "{ __typename }"}`, 405, 0, "BAD_REQUEST", ""},
		{"unknown route", "GET", "/nope", nil, "", 404, 0, "BAD_REQUEST", ""},
		{"not acceptable", "POST", "/query", map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, `{"query": "{ __typename }"}`, 406, 0, "BAD_REQUEST", ""},
		{"bad X-Timeout-Ms", "POST", "/query", map[string]string{"Content-Type": "application/json", "X-Timeout-Ms": "soon"}, `{"query": "{ __typename }"}`, 400, 0, "BAD_REQUEST", ""},
		// Ids in every form gqlgen coerces: a single value where a list is
		// expected, as a literal, a variable or a variable's default.
		{"single id literal ..", "POST", "/query", post, jsonBody(map[string]any{"query": `{ dashboards(userIds: "..") { wallet { loyaltyPoints } } }`}), 200, 400, "BAD_USER_INPUT", ""},
		{"single id variable with a path", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($ids: [ID!]!) { dashboards(userIds: $ids) { orders { id } } }`, "variables": map[string]any{"ids": "u1/../u2"},
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"ids joined in one", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($ids: [ID!]!) { dashboards(userIds: $ids) { profile { name } } }`, "variables": map[string]any{"ids": strings.Join(tooMany, ",")},
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"encoded slashes in a default", "POST", "/query", post, jsonBody(map[string]any{
			"query": `query($id: ID! = "..%2F..%2Fadmin") { dashboard(userId: $id) { wallet { loyaltyPoints } } }`,
		}), 200, 400, "BAD_USER_INPUT", ""},
		{"empty id", "POST", "/query", post, jsonBody(map[string]any{"query": `{ dashboard(userId: "") { userId } }`}), 200, 400, "BAD_USER_INPUT", ""},
		{"id with a NUL", "POST", "/query", post, jsonBody(map[string]any{"query": `{ dashboard(userId: "u1\u0000") { userId } }`}), 200, 400, "BAD_USER_INPUT", ""},
		// A persisted-query request in every wrong shape.
		{"APQ of another version", "POST", "/query", post, `{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "abc"}}}`, 200, 400, "BAD_REQUEST", ""},
		{"APQ without a hash", "POST", "/query", post, `{"extensions": {"persistedQuery": {"version": 1}}}`, 200, 400, "BAD_REQUEST", ""},
		{"APQ hash of a query that does not parse", "POST", "/query", post, jsonBody(map[string]any{
			"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": documents.Hash("{ dashboard(")}},
		}), 200, 400, "PERSISTED_QUERY_NOT_FOUND", ""},
	}...)
}

// The bad-input corpus over real HTTP: each request gets its status (for
// both response media types) and one clean error of the expected code, the
// services are never called, and a normal request right after succeeds.
func TestBadInput(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	client := &http.Client{Transport: e.Client.Transport, Timeout: 30 * time.Second} // fail, not hang, on an explosion
	for _, in := range badInputs() {
		for _, media := range []string{"application/json", "application/graphql-response+json"} {
			want := in.status
			if media != "application/json" && in.gqlResp != 0 {
				want = in.gqlResp
			}
			t.Run(in.name+"/"+media, func(t *testing.T) {
				e.Sim.ResetStats()
				req, _ := http.NewRequest(in.method, e.URL+in.target, strings.NewReader(in.body))
				if in.header["Accept"] == "" {
					req.Header.Set("Accept", media)
				}
				for k, v := range in.header {
					req.Header.Set(k, v)
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Errorf("answered after %v; want a bounded answer", elapsed) // only an explosion takes that long
				}
				var got struct {
					Data   json.RawMessage     `json:"data"`
					Errors []gatewaytest.Error `json:"errors"`
				}
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("body is not JSON: %v: %.200s", err, body)
				}
				if resp.StatusCode != want || len(got.Errors) != 1 || got.Errors[0].Code() != in.code {
					t.Errorf("%d %.300s; want %d with one %s", resp.StatusCode, body, want, in.code)
				} else if reason, _ := got.Errors[0].Extensions["reason"].(string); in.reason != "" && reason != in.reason {
					t.Errorf("reason %q (%s); want %q", reason, got.Errors[0].Message, in.reason)
				}
				if got.Data != nil {
					t.Errorf("body has data %s; want none for a request that did not run", got.Data)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
					t.Errorf("Content-Type %q; want JSON", ct)
				}
				gatewaytest.AssertClean(t, got.Errors)
				if calls := e.CallCounts(); len(calls) != 0 {
					t.Errorf("downstream calls %v; want none", calls)
				}
			})
		}
	}
	if r := e.Post(t, `{ dashboard(userId: "u1") { profile { name } } }`, nil); len(r.GQL.Errors) > 0 || r.Status != 200 {
		t.Errorf("a normal request after the corpus: %d %+v", r.Status, r.GQL.Errors)
	}
}

// Configured limits: depth is checked with fragments expanded.
func TestDepthLimit(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(o *config.Config) { o.Limits = limits.Limits{MaxDepth: 3} }})
	r := e.Post(t, `{ dashboard(userId: "u1") { ...O } } fragment O on Dashboard { orders { items { quantity } } }`, nil)
	if len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "LIMIT_EXCEEDED" || r.GQL.Errors[0].Extensions["reason"] != "depth" {
		t.Errorf("%s; want LIMIT_EXCEEDED depth", r.Body)
	}
	if r := e.Post(t, `{ dashboard(userId: "u1") { orders { id } } }`, nil); len(r.GQL.Errors) > 0 {
		t.Errorf("depth 3: %+v", r.GQL.Errors)
	}
}

// A header flood gets 431 from the server, and the server goes on.
func TestHeaderFlood(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/healthz", nil)
	for i := range 2000 {
		req.Header.Set(fmt.Sprintf("X-Flood-%d", i), strings.Repeat("x", 100))
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d; want 431", resp.StatusCode)
	}
	if r := e.Get(t, "/healthz"); r.Status != 200 {
		t.Errorf("after the flood: %d", r.Status)
	}
}

// A slow-loris client that never finishes its headers is cut off after the
// read-header timeout, while other clients are served.
func TestSlowLoris(t *testing.T) {
	const timeout = 300 * time.Millisecond
	e := gatewaytest.New(t, gatewaytest.Options{Server: gateway.ServerConfig{ReadHeaderTimeout: timeout}})
	start := time.Now() // before the dial: the server's clock starts once it accepts
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /query HTTP/1.1\r\nHost: x\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	if r := e.Post(t, `{ dashboard(userId: "u1") { userId } }`, nil); r.Status != 200 {
		t.Errorf("another client during the slow one: %d", r.Status)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	rest, err := io.ReadAll(conn) // ends when the server closes the connection
	elapsed := time.Since(start)
	if err != nil || elapsed < timeout || elapsed > timeout+2*time.Second {
		t.Errorf("connection closed after %v (%v); want the %v read-header timeout", elapsed, err, timeout)
	}
	if len(rest) > 0 && !bytes.HasPrefix(rest, []byte("HTTP/1.1 4")) {
		t.Errorf("server answered %q; want nothing or a 4xx", rest)
	}
}
