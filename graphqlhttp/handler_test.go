package graphqlhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/graphqlhttp"
	"github.com/acme/dashboard-gateway/graphqlhttp/graphqlhttptest"
)

const sdl = `
directive @defer(if: Boolean = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
type Query { dashboard: Dashboard }
type Dashboard { name: String wallet: Wallet }
type Wallet { points: Int }`

const deferQuery = `{"query":"{ dashboard { name ... @defer(label: \"w\") { wallet { points } } } }"}`

// answer is an incremental answer: the first response (its data as
// gqlgen writes it, the deferred field null, or as the fast path and
// graphql-js do, absent), announcing its part when announced, then the part.
func answer(announced bool) []*graphql.Response {
	hasNext, last := true, false
	first := &graphql.Response{Data: []byte(`{"dashboard":{"name":"a"}}`), HasNext: &hasNext, Extensions: map[string]any{"stale": "x"}}
	if announced {
		first.Extensions[graphqlhttp.PendingExtension] = []graphqlhttp.Pending{{Path: ast.Path{ast.PathName("dashboard")}, Label: "w"}}
	} else {
		first.Data = []byte(`{"dashboard":{"name":"a","wallet":null}}`)
	}
	return []*graphql.Response{first, {
		Data: []byte(`{"wallet":{"points":1}}`), Path: ast.Path{ast.PathName("dashboard")}, Label: "w", HasNext: &last,
	}}
}

// The handler picks the answer's form from the Accept header and from
// whether the executor announced the parts, and never lets the
// announcement out.
func TestHandlerIncremental(t *testing.T) {
	const (
		frame   = "---\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
		next    = "\r\n---\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
		closing = "\r\n-----\r\n"
		merged  = `{"data":{"dashboard":{"name":"a","wallet":{"points":1}}},"extensions":{"stale":"x"}}`
	)
	tests := []struct {
		name      string
		accept    string
		announced bool
		wantType  string
		wantBody  string
	}{
		{"2022", "multipart/mixed;deferSpec=20220824,application/json", true,
			`multipart/mixed; boundary="-"; deferSpec=20220824`,
			frame + `{"data":{"dashboard":{"name":"a"}},"extensions":{"stale":"x"},"hasNext":true}` +
				next + `{"incremental":[{"data":{"wallet":{"points":1}},"path":["dashboard"],"label":"w"}],"hasNext":false}` + closing},
		{"2022, not announced", "multipart/mixed, application/json", false,
			`multipart/mixed; boundary="-"; deferSpec=20220824`,
			frame + `{"data":{"dashboard":{"name":"a","wallet":null}},"extensions":{"stale":"x"},"hasNext":true}` +
				next + `{"incremental":[{"data":{"wallet":{"points":1}},"path":["dashboard"],"label":"w"}],"hasNext":false}` + closing},
		{"v0.2", "multipart/mixed;incrementalSpec=v0.2,application/graphql-response+json,application/json;q=0.9", true,
			`multipart/mixed; boundary="-"; incrementalSpec=v0.2`,
			frame + `{"data":{"dashboard":{"name":"a"}},"extensions":{"stale":"x"},"pending":[{"id":"0","path":["dashboard"],"label":"w"}],"hasNext":true}` +
				next + `{"incremental":[{"id":"0","data":{"wallet":{"points":1}}}],"completed":[{"id":"0"}],"hasNext":false}` + closing},
		{"v0.2, not announced: merged", "multipart/mixed;incrementalSpec=v0.2,application/graphql-response+json,application/json;q=0.9", false,
			"application/graphql-response+json; charset=utf-8", merged},
		{"JSON client", "application/json", true, "application/json; charset=utf-8", merged},
		{"JSON client, not announced", "application/json", false, "application/json; charset=utf-8", merged},
		{"no Accept", "", false, "application/json; charset=utf-8", merged},
		{"other deferSpec", "multipart/mixed;deferSpec=20230621, application/json", true, "application/json; charset=utf-8", merged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := graphqlhttptest.Handler(t, sdl, answer(tt.announced)...)
			req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(deferQuery))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", tt.accept)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if got := w.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Accept %q: Content-Type %q; want %q", tt.accept, got, tt.wantType)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("Accept %q: body\n%q\nwant\n%q", tt.accept, got, tt.wantBody)
			}
		})
	}
}

// An answer in one response loses its announcement too.
func TestHandlerDropsAnnouncement(t *testing.T) {
	h := graphqlhttptest.Handler(t, sdl, &graphql.Response{
		Data:       []byte(`{"dashboard":{"name":"a"}}`),
		Extensions: map[string]any{graphqlhttp.PendingExtension: []graphqlhttp.Pending{}},
	})
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{ dashboard { name } }"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if got, want := w.Body.String(), `{"data":{"dashboard":{"name":"a"}}}`; got != want {
		t.Errorf("body %s; want %s", got, want)
	}
}

// Parts an executor hands over together (graphqlhttp.BatchExtension) go
// out as parts of their own, in every form, and the key never does.
func TestHandlerUnbatches(t *testing.T) {
	// answer is the first response and one carrying two parts, made anew
	// for each request (the handler sets the carried part's HasNext).
	answer := func() []*graphql.Response {
		hasNext, last := true, false
		dashboard := ast.Path{ast.PathName("dashboard")}
		first := &graphql.Response{Data: []byte(`{"dashboard":{"name":"a"}}`), HasNext: &hasNext, Extensions: map[string]any{
			graphqlhttp.PendingExtension: []graphqlhttp.Pending{{Path: dashboard, Label: "w"}, {Path: dashboard, Label: "v"}},
		}}
		carried := &graphql.Response{Data: []byte(`{"name":null}`), Path: dashboard, Label: "v",
			Errors: gqlerror.List{{Message: "boom", Path: ast.Path{ast.PathName("dashboard"), ast.PathName("name")}}}}
		carrier := &graphql.Response{Data: []byte(`{"wallet":{"points":1}}`), Path: dashboard, Label: "w", HasNext: &last,
			Extensions: map[string]any{graphqlhttp.BatchExtension: []*graphql.Response{carried}}}
		return []*graphql.Response{first, carrier}
	}
	tests := []struct {
		accept string
		want   []string
	}{
		{"multipart/mixed;deferSpec=20220824,application/json", []string{
			`{"data":{"wallet":{"points":1}},"path":["dashboard"],"label":"w"}`,
			`{"data":{"name":null},"path":["dashboard"],"label":"v","errors":[{"message":"boom","path":["dashboard","name"]}]}`,
			`"hasNext":false}` + "\r\n-----\r\n",
		}},
		{"multipart/mixed;incrementalSpec=v0.2,application/json", []string{
			`{"id":"0","data":{"wallet":{"points":1}}}`,
			`{"id":"1","data":{"name":null},"errors":[{"message":"boom","path":["dashboard","name"]}]}`,
			`{"id":"0"}`, `{"id":"1"}`, `"hasNext":false}` + "\r\n-----\r\n",
		}},
		{"application/json", []string{
			`{"errors":[{"message":"boom","path":["dashboard","name"]}],"data":{"dashboard":{"name":null,"wallet":{"points":1}}}}`,
		}},
	}
	for _, tt := range tests {
		h := graphqlhttptest.Handler(t, sdl, answer()...)
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(deferQuery))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", tt.accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body := w.Body.String()
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("Accept %q: body\n%s\nlacks %s", tt.accept, body, want)
			}
		}
		if strings.Contains(body, graphqlhttp.BatchExtension) || strings.Count(body, `"hasNext":false`) > 1 {
			t.Errorf("Accept %q: body\n%s\nshows the batch or ends twice", tt.accept, body)
		}
	}
}
