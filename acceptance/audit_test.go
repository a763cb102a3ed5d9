package acceptance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acme/dashboard-gateway/gatewaytest"
)

// audit is one check of the GraphQL-over-HTTP server audit suite
// (graphql-http 1.23.1's serverAudits, by id and level), reimplemented
// against this server: the request it sends and what it asserts.
type audit struct {
	id, level, name string
	method          string
	query           url.Values        // GET parameters
	header          map[string]string // request headers
	body            string            // POST body; "" sends none
	status          [][2]int          // the status must be in one of these ranges
	mediaHas        string            // the response Content-Type must contain this
	errors          *bool             // the body must (true) or must not (false) have "errors"
	noData          bool              // the body must not have a "data" entry
	utf8            bool              // the body must be UTF-8
}

func yes() *bool { t := true; return &t }
func no() *bool  { f := false; return &f }

// Status ranges of the audits.
var (
	is200   = [][2]int{{200, 200}}
	is400   = [][2]int{{400, 400}}
	is4xx   = [][2]int{{400, 499}}
	is4or5  = [][2]int{{400, 599}}
	anyCode = [][2]int{{200, 299}, {400, 499}, {500, 599}}
)

// audits returns the suite: 13 MUST, 23 SHOULD and 25 MAY audits.
func audits() []audit {
	const (
		gql = "application/graphql-response+json"
		js  = "application/json"
		tn  = `{"query":"{ __typename }"}`
	)
	// post is a POST of body with Content-Type application/json and, unless
	// empty, Accept: accept.
	post := func(accept, body string) audit {
		h := map[string]string{"Content-Type": js}
		if accept != "" {
			h["Accept"] = accept
		}
		return audit{method: http.MethodPost, header: h, body: body}
	}
	get := func(accept string, kv ...string) audit {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		a := audit{method: http.MethodGet, query: v, header: map[string]string{}}
		if accept != "" {
			a.header["Accept"] = accept
		}
		return a
	}
	var out []audit
	add := func(a audit, id, level, name string, status [][2]int) *audit {
		a.id, a.level, a.name, a.status = id, level, name, status
		out = append(out, a)
		return &out[len(out)-1]
	}
	invalidObjects := []string{`{"obj":"ect"}`, `0`, `false`, `["array"]`}
	invalidMaps := []string{`"string"`, `0`, `false`, `["array"]`}
	typeQuery := "query Type($name: String!) { __type(name: $name) { name } }"
	typeBody := `{"query":"` + typeQuery + `","variables":{"name":"sometype"}}`
	coerce := `{"query":"query CoerceFailure($id: ID!){ __typename }","variables":{"id":null}}`
	validation := `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`

	// Media types
	add(post(gql, tn), "22EB", "SHOULD", "accept application/graphql-response+json and match the content-type", is200).mediaHas = gql
	add(post(js, tn), "4655", "MUST", "accept application/json and match the content-type", is200).mediaHas = js
	add(post("*/*", tn), "47DE", "SHOULD", "accept */* and use application/json for the content-type", is200).mediaHas = js
	add(post("", tn), "80D8", "SHOULD", "assume application/json content-type when accept is missing", is200).mediaHas = js
	add(post("", tn), "82A3", "MUST", "use utf-8 encoding when responding", is200).utf8 = true
	utf := post("", `{"query":"{ __type(name: \"Run🏃Swim🏊\") { name } }"}`)
	utf.header["Content-Type"] = "application/json; charset=utf-8"
	add(utf, "BF61", "MUST", "accept utf-8 encoded request", is200)
	add(post("", tn), "78D5", "MUST", "assume utf-8 in request if encoding is unspecified", is200)
	// Request
	add(post("", tn), "2C94", "MUST", "accept POST requests", is200)
	add(get("", "query", "{ __typename }"), "5A70", "MAY", "accept application/x-www-form-urlencoded formatted GET requests", is200)
	add(get(gql, "query", "mutation { __typename }"), "9C48", "MAY", "NOT allow executing mutations on GET requests", is4xx)
	add(audit{method: http.MethodPost, body: tn}, "9ABE", "SHOULD", "respond with 4xx status code if content-type is not supplied on POST requests", is4xx)
	add(post("", tn), "03D4", "MUST", "accept application/json POST requests", is200)
	add(post("", ""), "A5BF", "MAY", "use 400 status code when request body is missing on POST", is400)
	// Request parameters
	add(post(gql, `{"notquery":"{ __typename }"}`), "423L", "MAY", "use 400 status code on missing {query} parameter", is400)
	for i, bad := range invalidObjects {
		add(post("", `{"query":`+bad+`}`), "LKJ"+string(rune('0'+i)), "MAY", "use 400 status code on "+bad+" {query} parameter", is400)
	}
	add(post(gql, tn), "34A2", "SHOULD", "allow string {query} parameter when accepting application/graphql-response+json", is200)
	add(post(js, tn), "13EE", "MUST", "allow string {query} parameter when accepting application/json", is200).errors = no()
	for i, bad := range invalidObjects {
		add(post("", `{"operationName":`+bad+`,"query":"{ __typename }"}`), "6C0"+string(rune('0'+i)), "MAY", "use 400 status code on "+bad+" {operationName} parameter", is400)
	}
	named := `{"operationName":"Query","query":"query Query { __typename }"}`
	add(post(gql, named), "8161", "SHOULD", "allow string {operationName} parameter when accepting application/graphql-response+json", is200)
	add(post(js, named), "B8B3", "MUST", "allow string {operationName} parameter when accepting application/json", is200).errors = no()
	for i, p := range []string{"variables", "operationName", "extensions"} {
		n := string(rune('0' + i))
		body := `{"query":"{ __typename }","` + p + `":null}`
		add(post(gql, body), "94B"+n, "SHOULD", "allow null {"+p+"} parameter when accepting application/graphql-response+json", is200).errors = no()
		add(post(js, body), "022"+n, "MUST", "allow null {"+p+"} parameter when accepting application/json", is200).errors = no()
	}
	for i, bad := range invalidMaps {
		add(post("", `{"query":"{ __typename }","variables":`+bad+`}`), "476"+string(rune('0'+i)), "MAY", "use 400 status code on "+bad+" {variables} parameter", is400)
	}
	add(post(gql, typeBody), "2EA1", "SHOULD", "allow map {variables} parameter when accepting application/graphql-response+json", is200)
	add(post(js, typeBody), "28B9", "MUST", "allow map {variables} parameter when accepting application/json", is200).errors = no()
	add(get(gql, "query", typeQuery, "variables", `{"name":"sometype"}`), "D6D5", "MAY", "allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json", is200)
	add(get(js, "query", typeQuery, "variables", `{"name":"sometype"}`), "6A70", "MAY", "allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json", is200).errors = no()
	for i, bad := range invalidMaps {
		add(post("", `{"query":"{ __typename }","extensions":`+bad+`}`), "58B"+string(rune('0'+i)), "MAY", "use 400 status code on "+bad+" {extensions} parameter", is400)
	}
	ext := `{"query":"{ __typename }","extensions":{"some":"value"}}`
	add(post(gql, ext), "428F", "SHOULD", "allow map {extensions} parameter when accepting application/graphql-response+json", is200)
	add(post(js, ext), "1B7A", "MUST", "allow map {extensions} parameter when accepting application/json", is200).errors = no()
	add(post(js, `{ "not a JSON`), "B6DC", "MAY", "use 2xx, 4xx, or 5xx status codes on JSON parsing failure when accepting application/json", anyCode)
	add(post(js, `{ "not a JSON`), "BCF8", "SHOULD", "use 400 status code on JSON parsing failure when accepting application/json", is400)
	add(post(gql, `{ "not a JSON`), "B7N8", "SHOULD", "use 400 status code on JSON parsing failure when accepting application/graphql-response+json", is400)
	add(post("", `{"qeury":"{ __typename }"}`), "8764", "MAY", "use 4xx or 5xx status codes if parameters are invalid", is4or5)
	add(post("", `{"qeury":"{ __typename }"}`), "3E3A", "MAY", "use 400 status code if parameters are invalid", is400)
	// Response application/json: the document's errors are the body's
	add(post(js, `{"query":"{"}`), "572B", "SHOULD", "use 200 status code on document parsing failure when accepting application/json", is200).errors = yes()
	add(post(js, validation), "FDE2", "SHOULD", "use 200 status code on document validation failure when accepting application/json", is200).errors = yes()
	add(post(js, coerce), "7B9B", "SHOULD", "use a status code of 200 on variable coercion failure when accepting application/json", is200).errors = yes()
	// Response application/graphql-response+json
	add(post(gql, `{"query":"{"}`), "865D", "SHOULD", "use 4xx or 5xx status codes on document parsing failure when accepting application/graphql-response+json", is4or5)
	add(post(gql, `{"query":"{"}`), "556A", "SHOULD", "use 400 status code on document parsing failure when accepting application/graphql-response+json", is400)
	add(post(gql, `{"query":"{"}`), "D586", "SHOULD", "not contain the data entry on document parsing failure when accepting application/graphql-response+json", anyCode).noData = true
	add(post(gql, validation), "51FE", "SHOULD", "use 4xx or 5xx status codes on document validation failure when accepting application/graphql-response+json", is4or5)
	add(post(gql, validation), "74FF", "SHOULD", "use 400 status code on document validation failure when accepting application/graphql-response+json", is400)
	add(post(gql, validation), "5E5B", "SHOULD", "not contain the data entry on document validation failure when accepting application/graphql-response+json", anyCode).noData = true
	add(post(gql, coerce), "86EE", "SHOULD", "use a status code of 400 on variable coercion failure when accepting application/graphql-response+json", is400)
	return out
}

// TestGraphQLOverHTTP runs every audit of the GraphQL-over-HTTP server
// audit suite (graphql-http 1.23.1: MUST, SHOULD and MAY) against the
// gateway over real HTTP; every one passes.
func TestGraphQLOverHTTP(t *testing.T) {
	list := audits()
	levels := map[string]int{}
	for _, a := range list {
		levels[a.level]++
	}
	if levels["MUST"] != 13 || levels["SHOULD"] != 23 || levels["MAY"] != 25 {
		t.Errorf("audits per level %v; want the suite's 13 MUST, 23 SHOULD, 25 MAY", levels)
	}
	e := gatewaytest.New(t, gatewaytest.Options{})
	for _, a := range list {
		t.Run(a.id+" "+a.level+" "+a.name, func(t *testing.T) {
			target := e.URL + "/query"
			if a.query != nil {
				target += "?" + a.query.Encode()
			}
			var body io.Reader
			if a.body != "" {
				body = strings.NewReader(a.body)
			}
			req, _ := http.NewRequest(a.method, target, body)
			for k, v := range a.header {
				req.Header.Set(k, v)
			}
			resp, err := e.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !inRanges(resp.StatusCode, a.status) {
				t.Errorf("status %d; want %v (%s)", resp.StatusCode, a.status, data)
			}
			if ct := resp.Header.Get("Content-Type"); a.mediaHas != "" && !strings.Contains(ct, a.mediaHas) {
				t.Errorf("Content-Type %q; want %s", ct, a.mediaHas)
			}
			if a.utf8 && !utf8.Valid(data) {
				t.Error("the body is not UTF-8")
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("the body is not a JSON object: %s", data)
			}
			if _, has := got["errors"]; a.errors != nil && has != *a.errors {
				t.Errorf("errors present = %v; want %v: %s", has, *a.errors, data)
			}
			if _, has := got["data"]; a.noData && has {
				t.Errorf("the body has a data entry: %s", data)
			}
		})
	}
}

func inRanges(status int, ranges [][2]int) bool {
	for _, r := range ranges {
		if status >= r[0] && status <= r[1] {
			return true
		}
	}
	return false
}
