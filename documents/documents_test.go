package documents

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/apierror"
)

const doc = `query Me { dashboard(userId: "u1") { userId } }`

func TestLoadManifest(t *testing.T) {
	h := Hash(doc)
	tests := []struct {
		name    string
		in      string
		wantErr string
		id      string
	}{
		{"id map", `{"` + h + `": ` + quote(doc) + `}`, "", h},
		{"prefixed id", `{"sha256:` + h + `": ` + quote(doc) + `}`, "", "sha256:" + h},
		{"opaque ids (Relay)", `{"7b1c": ` + quote(doc) + `}`, "", "7b1c"},
		{"Apollo", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + h + `","body":` + quote(doc) + `,"name":"Me","type":"query"}]}`, "", h},
		{"Apollo, wrong version", `{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`, "version", ""},
		{"hash mismatch", `{"` + Hash("something else") + `": ` + quote(doc) + `}`, "not the SHA-256", ""},
		{"not JSON", `nope`, "not a JSON object", ""},
		{"not strings", `{"a": 1}`, "ids to document strings", ""},
		{"empty document", `{"a": ""}`, "empty", ""},
	}
	for _, tt := range tests {
		m, err := LoadManifest(strings.NewReader(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v; want one mentioning %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || m[tt.id] != doc {
			t.Errorf("%s: %v, %v; want %q -> the document", tt.name, m, err, tt.id)
		}
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestTrusted(t *testing.T) {
	h := Hash(doc)
	tr := NewTrusted(Manifest{h: doc, "7b1c": doc})
	tests := []struct {
		name      string
		params    graphql.RawParams
		wantCode  string
		wantQuery string
	}{
		{"by documentId", graphql.RawParams{Extensions: map[string]any{"documentId": "sha256:" + h}}, "", doc},
		{"by opaque id", graphql.RawParams{Extensions: map[string]any{"documentId": "7b1c"}}, "", doc},
		{"by APQ hash", graphql.RawParams{Extensions: map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": h}}}, "", doc},
		{"the text of a trusted document", graphql.RawParams{Query: doc}, "", doc},
		{"unknown id", graphql.RawParams{Extensions: map[string]any{"documentId": "nope"}}, string(apierror.PersistedQueryNotFound), ""},
		{"query not matching its id", graphql.RawParams{Query: "{ __typename }", Extensions: map[string]any{"documentId": "7b1c"}}, string(apierror.PersistedQueryMismatch), ""},
		{"any other query", graphql.RawParams{Query: "{ __typename }"}, string(apierror.DocumentNotTrusted), ""},
	}
	for _, tt := range tests {
		p := tt.params
		err := tr.MutateOperationParameters(context.Background(), &p)
		code := ""
		if err != nil {
			code, _ = err.Extensions["code"].(string)
		}
		if code != tt.wantCode || tt.wantCode == "" && p.Query != tt.wantQuery {
			t.Errorf("%s: code %q, query %q; want code %q, query %q", tt.name, code, p.Query, tt.wantCode, tt.wantQuery)
		}
		if _, still := p.Extensions["persistedQuery"]; still {
			t.Errorf("%s: persistedQuery left for APQ to register", tt.name)
		}
	}
}
