package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/simulator"
)

// hostileInput is one request of BenchmarkHostileInput: what it sends, to
// which gateway.
type hostileInput struct {
	name    string
	opts    gatewaytest.Options
	method  string // default POST
	path    string // default /query
	header  []string
	body    []byte
	perCall func(i int) []byte // when set, a new body per request (each one unique)
}

// graphqlBody is the JSON of a GraphQL request with these parts (nil parts
// are left out).
func graphqlBody(query string, vars, extensions any) []byte {
	m := map[string]any{"query": query}
	if vars != nil {
		m["variables"] = vars
	}
	if extensions != nil {
		m["extensions"] = extensions
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// nestedJSON is about size bytes of unused JSON: arrays of small numbers
// (arrays) or objects of many members (objects).
func nestedJSON(size int, objects bool) json.RawMessage {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if objects {
			fmt.Fprintf(&b, `{"k%d":{"a":[1,2],"b":{"c":null}}}`, i)
		} else {
			b.WriteString("[1,2,3,[4,5,[6]]]")
		}
	}
	b.WriteByte(']')
	return json.RawMessage(b.String())
}

// hostileInputs are the requests of the third security round (issue 19)
// whose cost is CPU and memory per request.
func hostileInputs() []hostileInput {
	many := make([]int, 125000)
	for i := range many {
		many[i] = i % 10
	}
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = fmt.Sprintf("u%d", i+1)
	}
	aliasedSchema := "{ " + joined(10, func(i int) string {
		return fmt.Sprintf("s%d: __schema { types { name fields { name args { name type { name kind ofType { name kind ofType { name } } } } type { name kind ofType { name kind ofType { name } } } } } }", i)
	}) + " }"
	const manyErrors = `query($ids: [ID!]!) { dashboards(userIds: $ids) { orders(first: 50) { items { product { name } } } recommendations(first: 50) { product { name } } } }`
	return []hostileInput{
		{name: "variables/125,000-element list", body: graphqlBody(`query($a: [ID!]!) { dashboards(userIds: $a) { userId } }`, map[string]any{"a": many}, nil)},
		{name: "variables/250 KB unused arrays", body: graphqlBody("{ __typename }", map[string]any{"x": nestedJSON(250_000, false)}, nil)},
		{name: "variables/250 KB unused objects", body: graphqlBody("{ __typename }", map[string]any{"x": nestedJSON(250_000, true)}, nil)},
		{name: "extensions/250 KB unused arrays", body: graphqlBody("{ __typename }", nil, map[string]any{"x": nestedJSON(250_000, false)})},
		{name: "errors/catalog failing, 50 dashboards", opts: gatewaytest.Options{Failing: []string{simulator.Catalog}},
			body: graphqlBody(manyErrors, map[string]any{"ids": fifty}, nil)},
		{name: "introspection/10 aliased __schema", body: graphqlBody(aliasedSchema, nil, nil)},
		{name: "deadline/X-Timeout-Ms 99999999999999999999", header: []string{"X-Timeout-Ms", "99999999999999999999"},
			body: graphqlBody(`{ dashboard(userId: "u1") { userId } }`, nil, nil)},
		{name: "apq/unique 20 KB registrations", perCall: func(i int) []byte {
			q := fmt.Sprintf("query Q%d { __typename }\n# %s", i, strings.Repeat("x", 19_900))
			return graphqlBody(q, nil, gatewaytest.Persisted(q)["extensions"])
		}},
	}
}

// BenchmarkHostileInput sends each hostile request of the third security
// round over loopback HTTP to a gateway in front of the in-process
// simulator, one at a time, and reports per request the process's CPU
// time (cpu-ms/op, from getrusage: gateway, simulator and a bare client
// that posts prepared bytes and discards the answer) and the bytes it
// allocated (B/op). See BENCHMARKS.md "Hostile input (issue 19)".
func BenchmarkHostileInput(b *testing.B) {
	for _, h := range hostileInputs() {
		b.Run(h.name, func(b *testing.B) {
			o := h.opts
			o.Bench = true
			e := gatewaytest.New(b, o)
			send := func(i int) int {
				body := h.body
				if h.perCall != nil {
					body = h.perCall(i)
				}
				method, path := h.method, h.path
				if method == "" {
					method = http.MethodPost
				}
				if path == "" {
					path = "/query"
				}
				req, _ := http.NewRequest(method, e.URL+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for i := 0; i+1 < len(h.header); i += 2 {
					req.Header.Set(h.header[i], h.header[i+1])
				}
				resp, err := e.Client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			// The status is reported, not required, so that the same
			// benchmark measures a gateway from before these limits.
			status := send(-1)
			if status >= 500 {
				b.Fatalf("status %d", status)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			i := 0
			for b.Loop() {
				send(i)
				i++
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(status), "status")
		})
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
