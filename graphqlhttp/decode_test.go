package graphqlhttp

import (
	"strings"
	"testing"
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
