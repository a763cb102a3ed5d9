package graphqlhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", mediaJSON, true},
		{"application/json", mediaJSON, true},
		{"application/graphql-response+json", mediaGraphQLResponse, true},
		{"*/*", mediaJSON, true},
		{"application/*", mediaJSON, true},
		{"application/json, application/graphql-response+json", mediaGraphQLResponse, true},
		{"application/graphql-response+json;q=0.5, application/json", mediaJSON, true},
		{"application/json;q=0", "", false},
		{"text/html", "", false},
		{"text/html, */*;q=0.1", mediaJSON, true},
		{"garbage;;;", "", false},
	}
	for _, tt := range tests {
		got, ok := negotiate(tt.accept)
		if got != tt.want || ok != tt.ok {
			t.Errorf("negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDecodePOST(t *testing.T) {
	tests := []struct {
		body    string
		wantErr string
		check   func(*Request) bool
	}{
		{`{"query":"{ a }"}`, "", func(r *Request) bool { return r.Params.Query == "{ a }" }},
		{`{"query":"{ a }","operationName":null,"variables":null,"extensions":null}`, "", func(r *Request) bool { return r.Params.Variables == nil }},
		{`{"query":"query Q($n: Int) { a }","variables":{"n":12345678901}}`, "", func(r *Request) bool {
			return r.Params.Variables["n"] != nil && strings.Contains(string(mustJSONNumber(r.Params.Variables["n"])), "12345678901")
		}},
		{`{"documentId":"sha256:abc"}`, "", func(r *Request) bool { return r.DocumentID == "sha256:abc" }},
		{`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}`, "", func(r *Request) bool { return r.Params.Query == "" }},
		{``, "empty", nil},
		{`[]`, "batched", nil},
		{`"x"`, "JSON object", nil},
		{`{"query":`, "not valid JSON", nil},
		{`{"query":1}`, `"query" must be a string`, nil},
		{`{"query":"{ a }","variables":"x"}`, `"variables" must be a JSON object`, nil},
		{`{"query":"{ a }","extensions":[1]}`, `"extensions" must be a JSON object`, nil},
		{`{"query":"{ a }","operationName":false}`, `"operationName" must be a string`, nil},
		{`{"notquery":"{ a }"}`, `no "query"`, nil},
		{`{"query":"{ a }"} {}`, "more than one", nil},
		{`{"query":"{ a }"}}`, "more than one", nil}, // encoding/json's Decoder.More let a stray '}' or ']' through
		{`{"QUERY":"{ b }","Query":"{ a }"}`, "", func(r *Request) bool { return r.Params.Query == "{ a }" }},
		{`{"qu\u0065ry":"{ \"a\" }\n"}`, "", func(r *Request) bool { return r.Params.Query == "{ \"a\" }\n" }},
		{`{"query":"{ a }","query":null}`, `no "query"`, nil},
		{`{"query":"\ud83d\ude00 \ud800"}`, "", func(r *Request) bool { return r.Params.Query == "\U0001F600 \uFFFD" }},
		{"{\"query\":\"\xff\"}", "UTF-8", nil},
		{`{"query":"` + strings.Repeat("a", 101) + `"}`, "limit is 100", nil},
	}
	for _, tt := range tests {
		r, err := DecodePOST([]byte(tt.body), 100, InputLimits{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DecodePOST(%.40q) error %v; want one with %q", tt.body, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !tt.check(r) {
			t.Errorf("DecodePOST(%.40q) = %+v, %v", tt.body, r, err)
		}
	}
}

func mustJSONNumber(v any) []byte {
	if s, ok := v.(interface{ String() string }); ok {
		return []byte(s.String())
	}
	return nil
}

func TestDecodeGET(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string
	}{
		{"query=%7B+a+%7D", ""},
		{"query=%7B+a+%7D&variables=%7B%22n%22%3A1%7D&operationName=Q", ""},
		{"query=%7B+a+%7D&variables=%5B1%5D", `"variables" must be a JSON object`},
		{"query=%7B+a+%7D&extensions=nope", `"extensions" must be a JSON object`},
		{"query=%zz", "URL encoding"},
		{"query=%ff", "UTF-8"},
		{"", `no "query"`},
	}
	for _, tt := range tests {
		_, err := DecodeGET(tt.raw, 0, InputLimits{})
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("DecodeGET(%q) error %v; want %q", tt.raw, err, tt.wantErr)
		}
	}
}

// TestDecodePOSTAsEncodingJSON: DecodePOST, which takes each parameter from
// the one scan that bounds the body, decodes random bodies as decoding the
// body's object with encoding/json does (keys matched without regard to
// case and after unescaping, the last of duplicates, escapes, null, wrong
// types), with the same errors.
func TestDecodePOSTAsEncodingJSON(t *testing.T) {
	keys := []string{`"query"`, `"Query"`, `"QUERY"`, `"qu\u0065ry"`, `"\u0051uery"`, `"operationName"`,
		`"operationname"`, `"OperationName"`, `"documentId"`, `"documentID"`, `"variables"`, `"Variables"`,
		`"extensions"`, `"EXTENSIONS"`, `"other"`, `"queries"`, `"variable\u017f"`, `"q"`, `"extension\u017f"`, `"operationNam\u0045"`, `"d\u006fcumentid"`}
	values := []string{`"{ a }"`, `"query Q($id: ID!) { dashboard(userId: $id) { userId } }"`, `""`,
		`"{ \"a\" }\n\t\u00e9"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\/"`, `"Q"`, `"sha256:ab"`,
		`null`, `1`, `-0.5e3`, `true`, `false`, `[]`, `[1,"a",null]`, `{}`, `{"id":"u1"}`,
		`{"n":12345678901234567890,"f":1.5,"l":[1,{"a":null}]}`, `{"persistedQuery":{"version":1,"sha256Hash":"ab"}}`}
	space := []string{"", " ", "\n\t "}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for i := range 20000 {
		var b strings.Builder
		b.WriteString(pick(space) + "{" + pick(space))
		for j := range rng.IntN(5) {
			if j > 0 {
				b.WriteString("," + pick(space))
			}
			b.WriteString(pick(keys) + pick(space) + ":" + pick(space) + pick(values) + pick(space))
		}
		b.WriteString("}" + pick(space))
		body := b.String()
		got, gotErr := DecodePOST([]byte(body), 40, InputLimits{})
		want, wantErr := decodePOSTWithEncodingJSON([]byte(body), 40)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("body %d %s:\n DecodePOST       %+v, %v\n encoding/json's  %+v, %v", i, body, got, gotErr, want, wantErr)
		}
	}
}

// decodePOSTWithEncodingJSON is DecodePOST as it was before it took the
// parameters from its scan: the body decoded by encoding/json into raw
// members, each decoded again.
func decodePOSTWithEncodingJSON(data []byte, maxQuery int) (*Request, error) {
	trimmed := bytes.TrimSpace(data)
	if _, _, err := (InputLimits{}).withDefaults().scanBody(trimmed); err != nil {
		return nil, err
	}
	var b struct {
		Query, OperationName, Variables, Extensions, DocumentID json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&b); err != nil {
		return nil, badRequest("the request body is not valid JSON")
	}
	str := func(name string, raw json.RawMessage) (string, error) {
		var s *string
		if json.Unmarshal(raw, &s) != nil {
			return "", badRequest("%q must be a string", name)
		}
		if s == nil {
			return "", nil
		}
		return *s, nil
	}
	req := &Request{}
	var err error
	if req.Params.Query, err = str("query", b.Query); err != nil && len(b.Query) > 0 {
		return nil, err
	}
	if req.Params.OperationName, err = str("operationName", b.OperationName); err != nil && len(b.OperationName) > 0 {
		return nil, err
	}
	if req.DocumentID, err = str("documentId", b.DocumentID); err != nil && len(b.DocumentID) > 0 {
		return nil, err
	}
	if req.Params.Variables, err = objectParam("variables", b.Variables); err != nil {
		return nil, err
	}
	if req.Params.Extensions, err = objectParam("extensions", b.Extensions); err != nil {
		return nil, err
	}
	return req, checkQuery(req, maxQuery)
}

// BenchmarkDecodePOST decodes the contract's dashboard request, as a client
// sends it.
func BenchmarkDecodePOST(b *testing.B) {
	body, err := json.Marshal(map[string]any{"query": contract.DashboardQuery, "variables": map[string]any{"id": "u-1234"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodePOST(body, 0, InputLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}
