package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/config"
	"github.com/acme/dashboard-gateway/gateway"
	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// inputGateway is the default gateway but for a header cap of 1 MiB, so
// that GET requests as large as the POST bodies reach the handler: the
// input limits hold whatever the server lets through.
func inputGateway(t *testing.T) *gatewaytest.Gateway {
	return gatewaytest.New(t, gatewaytest.Options{Server: gateway.ServerConfig{MaxHeaderBytes: 1 << 20}})
}

// send sends in over POST or GET, with Accept: application/json.
func (in decodeCase) send(t *testing.T, e *gatewaytest.Gateway, method string) gatewaytest.Result {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+in.target(), nil)
	if method == http.MethodPost {
		req, _ = http.NewRequest(method, e.URL+"/query", strings.NewReader(in.body()))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return e.Do(t, req)
}

// The red team's variables and extensions (250 KB of JSON, 100,000
// brackets deep) are refused while they are decoded, over POST and GET:
// 400 under application/json too (not the 200 of a request error), one
// BAD_USER_INPUT naming the limit, no data, no downstream call. Before,
// they were coerced (the list of ids refused by the ids limit, 200), ran
// (unused values), or failed as "not valid JSON" (too deep for
// encoding/json).
func TestHostileInputIsRefusedWhileDecoded(t *testing.T) {
	e := inputGateway(t)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, in := range decodeCases(250_000, 100_000) {
			t.Run(method+"/"+in.name, func(t *testing.T) {
				e.Sim.ResetStats()
				r := in.send(t, e, method)
				if r.Status != http.StatusBadRequest || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Code() != "BAD_USER_INPUT" ||
					r.GQL.Errors[0].Extensions["reason"] != in.reason || !strings.Contains(r.GQL.Errors[0].Message, "limit of") {
					t.Fatalf("%d %.300s; want 400 with one BAD_USER_INPUT, reason %s, naming the limit", r.Status, r.Body, in.reason)
				}
				if r.GQL.Data != nil {
					t.Errorf("data %s; want none", r.GQL.Data)
				}
				gatewaytest.AssertClean(t, r.GQL.Errors)
				if calls := e.CallCounts(); len(calls) != 0 {
					t.Errorf("downstream calls %v; want none", calls)
				}
			})
		}
	}
}

// Variables and extensions at each default limit run, over POST and GET;
// one more byte, value or level is refused. So is the largest request the
// schema can use: 10 root fields of 50 ids each.
func TestInputAtTheLimitsRuns(t *testing.T) {
	e := inputGateway(t)
	const usesA = `query($a: [ID!]!) { dashboards(userIds: $a) { userId } }`
	// pad returns variables with $a and a "pad" member making them n bytes.
	pad := func(n int) string {
		return `{"a":["u1"],"pad":"` + strings.Repeat("x", n-len(`{"a":["u1"],"pad":""}`)) + `"}`
	}
	padExt := func(n int) string { return `{"pad":"` + strings.Repeat("x", n-len(`{"pad":""}`)) + `"}` }
	// values returns variables with $a and n values in all.
	values := func(n int) string { return `{"a":["u1"],"pad":[` + repeatJSON("0", n-4) + "]}" }
	// depth returns variables with $a nesting n deep.
	depth := func(n int) string {
		return `{"a":["u1"],"pad":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "}"
	}
	var aliases []string
	vars := map[string]any{}
	for i := range 10 {
		aliases = append(aliases, fmt.Sprintf("d%d: dashboards(userIds: $ids%d) { userId }", i, i))
		ids := make([]string, 50)
		for j := range ids {
			ids[j] = fmt.Sprintf("user_%02d_%02d", i, j)
		}
		vars[fmt.Sprintf("ids%d", i)] = ids
	}
	var defs []string
	for i := range 10 {
		defs = append(defs, fmt.Sprintf("$ids%d: [ID!]!", i))
	}
	largest := decodeCase{name: "10 root fields of 50 ids", query: "query(" + strings.Join(defs, ", ") + ") { " + strings.Join(aliases, " ") + " }", variables: jsonBody(vars)}

	tests := []decodeCase{
		largest,
		{name: "variables bytes at the limit", query: usesA, variables: pad(graphqlhttp.DefaultMaxVariablesBytes)},
		{name: "variables bytes over the limit", query: usesA, variables: pad(graphqlhttp.DefaultMaxVariablesBytes + 1), reason: "variables_bytes"},
		{name: "extensions bytes at the limit", query: usesA, variables: `{"a":["u1"]}`, extensions: padExt(graphqlhttp.DefaultMaxExtensionsBytes)},
		{name: "extensions bytes over the limit", query: usesA, variables: `{"a":["u1"]}`, extensions: padExt(graphqlhttp.DefaultMaxExtensionsBytes + 1), reason: "extensions_bytes"},
		{name: "values at the limit", query: usesA, variables: values(graphqlhttp.DefaultMaxJSONValues)},
		{name: "values over the limit", query: usesA, variables: values(graphqlhttp.DefaultMaxJSONValues + 1), reason: "json_values"},
		{name: "depth at the limit", query: usesA, variables: depth(graphqlhttp.DefaultMaxJSONDepth)},
		{name: "depth over the limit", query: usesA, variables: depth(graphqlhttp.DefaultMaxJSONDepth + 1), reason: "json_depth"},
	}
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, in := range tests {
			t.Run(method+"/"+in.name, func(t *testing.T) {
				r := in.send(t, e, method)
				if in.reason == "" {
					if r.Status != http.StatusOK || len(r.GQL.Errors) != 0 || r.GQL.Data == nil {
						t.Errorf("%d %.300s; want data and no error", r.Status, r.Body)
					}
					return
				}
				if r.Status != http.StatusBadRequest || len(r.GQL.Errors) != 1 || r.GQL.Errors[0].Extensions["reason"] != in.reason {
					t.Errorf("%d %.300s; want 400 with reason %s", r.Status, r.Body, in.reason)
				}
			})
		}
	}
}

// The limits are the configuration's (-max-json-values and the others).
func TestConfiguredInputLimits(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{Edit: func(c *config.Config) {
		c.Input = graphqlhttp.InputLimits{MaxVariablesBytes: 100, MaxExtensionsBytes: 50, MaxJSONValues: 5, MaxJSONDepth: 2}
	}})
	const q = `query($a: [ID!]!) { dashboards(userIds: $a) { userId } }`
	for _, in := range []decodeCase{
		{name: "at every limit", query: q, variables: `{"a":["u1","u2","u3"]}`, extensions: `{"x":1}`},
		{name: "values", query: q, variables: `{"a":["u1","u2","u3","u4"]}`, reason: "json_values"},
		{name: "depth", query: q, variables: `{"a":[["u1"]]}`, reason: "json_depth"},
		{name: "variables bytes", query: q, variables: `{"a":["u1"],"p":"` + strings.Repeat("x", 100) + `"}`, reason: "variables_bytes"},
		{name: "extensions bytes", query: q, variables: `{"a":["u1"]}`, extensions: `{"p":"` + strings.Repeat("x", 50) + `"}`, reason: "extensions_bytes"},
	} {
		t.Run(in.name, func(t *testing.T) {
			want := http.StatusBadRequest
			if in.reason == "" {
				want = http.StatusOK
			}
			if r := in.send(t, e, http.MethodPost); r.Status != want || firstReason(r) != in.reason {
				t.Errorf("%d %.300s; want %d, reason %q", r.Status, r.Body, want, in.reason)
			}
		})
	}
}

// firstReason is the extensions.reason of r's first error, or "".
func firstReason(r gatewaytest.Result) string {
	if len(r.GQL.Errors) == 0 {
		return ""
	}
	reason, _ := r.GQL.Errors[0].Extensions["reason"].(string)
	return reason
}
