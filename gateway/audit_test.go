package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// audit is one check of the GraphQL-over-HTTP specification's server audit
// suite (graphql-http's audits, by id), reimplemented against this server.
type audit struct {
	id, name string
	method   string
	query    url.Values // GET parameters
	header   map[string]string
	body     string
	status   int    // exact status; 0: any 4xx
	mediaHas string // the response Content-Type must contain this
	errors   *bool  // the body must (true) or must not (false) have "errors"
	noData   bool   // the body must not have a "data" entry
}

func yes() *bool { t := true; return &t }
func no() *bool  { f := false; return &f }

func audits() []audit {
	const (
		gql  = "application/graphql-response+json"
		js   = "application/json"
		tn   = `{"query":"{ __typename }"}`
		ctJS = "application/json"
	)
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	get := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	var out []audit
	add := func(a audit) { out = append(out, a) }
	add(audit{id: "22EB", name: "accepts graphql-response+json", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: tn, status: 200, mediaHas: gql})
	add(audit{id: "4655", name: "accepts application/json", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: tn, status: 200, mediaHas: js})
	add(audit{id: "47DE", name: "*/* means application/json", method: "POST", header: h("Content-Type", ctJS, "Accept", "*/*"), body: tn, status: 200, mediaHas: js})
	add(audit{id: "80D8", name: "no Accept means application/json", method: "GET", query: get("query", "{ __typename }"), status: 200, mediaHas: js})
	add(audit{id: "BF61", name: "utf-8 request", method: "POST", header: h("Content-Type", "application/json; charset=utf-8"), body: tn, status: 200})
	add(audit{id: "2C94", name: "POST", method: "POST", header: h("Content-Type", ctJS), body: tn, status: 200, errors: no()})
	add(audit{id: "5A70", name: "GET", method: "GET", query: get("query", "{ __typename }"), status: 200, errors: no()})
	add(audit{id: "9C48", name: "no mutations over GET", method: "GET", query: get("query", "mutation { __typename }"), header: h("Accept", gql), status: 405})
	add(audit{id: "9ABE", name: "POST without content type", method: "POST", body: tn})
	add(audit{id: "7267", name: "POST without body", method: "POST", header: h("Content-Type", ctJS), status: 200, errors: yes()})
	add(audit{id: "6610", name: "missing query (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"notquery":"{ __typename }"}`, status: 400, noData: true})
	add(audit{id: "3715", name: "missing query (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"notquery":"{ __typename }"}`, status: 200, errors: yes()})
	for i, bad := range []string{`{"obj":"ect"}`, `0`, `false`, `["array"]`} {
		n := string(rune('0' + i))
		add(audit{id: "4F5" + n, name: "invalid query (gql) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":` + bad + `}`, status: 400})
		add(audit{id: "9FE" + n, name: "invalid query (json) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":` + bad + `}`, status: 200, errors: yes()})
		add(audit{id: "E3E" + n, name: "invalid operationName (gql) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{ __typename }","operationName":` + bad + `}`, status: 400})
		add(audit{id: "FB9" + n, name: "invalid operationName (json) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{ __typename }","operationName":` + bad + `}`, status: 200, errors: yes()})
	}
	add(audit{id: "8161", name: "operationName (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"operationName":"Query","query":"query Query { __typename }"}`, status: 200})
	add(audit{id: "B8B3", name: "operationName (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"operationName":"Query","query":"query Query { __typename }"}`, status: 200, errors: no()})
	for i, p := range []string{"variables", "operationName", "extensions"} {
		n := string(rune('0' + i))
		body := `{"query":"{ __typename }","` + p + `":null}`
		add(audit{id: "94B" + n, name: "null " + p + " (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: body, status: 200, errors: no()})
		add(audit{id: "022" + n, name: "null " + p + " (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: body, status: 200, errors: no()})
	}
	for i, bad := range []string{`"string"`, `0`, `false`, `["array"]`} {
		n := string(rune('0' + i))
		add(audit{id: "69B" + n, name: "invalid variables (gql) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{ __typename }","variables":` + bad + `}`, status: 400})
		add(audit{id: "F05" + n, name: "invalid variables (json) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{ __typename }","variables":` + bad + `}`, status: 200, errors: yes()})
		add(audit{id: "904" + n, name: "invalid extensions (gql) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{ __typename }","extensions":` + bad + `}`, status: 400})
		add(audit{id: "368" + n, name: "invalid extensions (json) " + bad, method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{ __typename }","extensions":` + bad + `}`, status: 200, errors: yes()})
	}
	typeQuery := `{"query":"query Type($name: String!) { __type(name: $name) { name } }","variables":{"name":"sometype"}}`
	add(audit{id: "2EA1", name: "map variables (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: typeQuery, status: 200})
	add(audit{id: "28B9", name: "map variables (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: typeQuery, status: 200, errors: no()})
	getType := get("query", "query Type($name: String!) { __type(name: $name) { name } }", "variables", `{"name":"sometype"}`)
	add(audit{id: "D6D5", name: "GET variables (gql)", method: "GET", query: getType, header: h("Accept", gql), status: 200})
	add(audit{id: "6A70", name: "GET variables (json)", method: "GET", query: getType, header: h("Accept", js), status: 200, errors: no()})
	add(audit{id: "428F", name: "map extensions (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{ __typename }","extensions":{"some":"value"}}`, status: 200})
	add(audit{id: "1B7A", name: "map extensions (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{ __typename }","extensions":{"some":"value"}}`, status: 200, errors: no()})
	add(audit{id: "D477", name: "JSON parse failure (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{ "not a JSON`, status: 200})
	add(audit{id: "F5AF", name: "invalid parameters (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"qeury":"{ __typename }"}`, status: 200})
	add(audit{id: "572B", name: "document parse failure (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{"}`, status: 200})
	add(audit{id: "FDE2", name: "document validation failure (json)", method: "POST", header: h("Content-Type", ctJS, "Accept", js), body: `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`, status: 200})
	add(audit{id: "2163", name: "JSON parse failure (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{ "not a JSON`, status: 400})
	add(audit{id: "17C5", name: "invalid parameters (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"qeury":"{ __typename }"}`, status: 400, noData: true})
	add(audit{id: "556A", name: "document parse failure (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{"}`, status: 400, noData: true})
	add(audit{id: "74FF", name: "document validation failure (gql)", method: "POST", header: h("Content-Type", ctJS, "Accept", gql), body: `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`, status: 400, noData: true})
	return out
}

// TestGraphQLOverHTTP runs the checks of the GraphQL-over-HTTP server audit
// suite (MUST and SHOULD) against the gateway over real HTTP.
func TestGraphQLOverHTTP(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, a := range audits() {
		t.Run(a.id+" "+a.name, func(t *testing.T) {
			target := e.url + "/query"
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
			resp, err := e.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case a.status == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499):
				t.Errorf("status %d; want 4xx", resp.StatusCode)
			case a.status != 0 && resp.StatusCode != a.status:
				t.Errorf("status %d; want %d (%s)", resp.StatusCode, a.status, data)
			}
			if ct := resp.Header.Get("Content-Type"); a.mediaHas != "" && !strings.Contains(ct, a.mediaHas) {
				t.Errorf("Content-Type %q; want %s", ct, a.mediaHas)
			}
			if !utf8.Valid(data) {
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
