package graphqlhttp

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestMergeAt(t *testing.T) {
	tests := []struct {
		name    string
		initial string
		path    ast.Path
		data    string
		want    string
	}{
		{"key present (gqlgen's null) replaced in place",
			`{"dashboard":{"profile":{"name":"a"},"wallet":null,"userId":"u1"}}`, path("dashboard"), `{"wallet":{"points":1}}`,
			`{"dashboard":{"profile":{"name":"a"},"wallet":{"points":1},"userId":"u1"}}`},
		{"keys absent appended in order",
			`{"dashboard":{"profile":{"name":"a"}}}`, path("dashboard"), `{"wallet":{"points":1},"orders":[]}`,
			`{"dashboard":{"profile":{"name":"a"},"wallet":{"points":1},"orders":[]}}`},
		{"objects merged member by member",
			`{"dashboard":{"profile":{"name":"a"}}}`, path("dashboard"), `{"profile":{"tier":"GOLD","name":"a"}}`,
			`{"dashboard":{"profile":{"name":"a","tier":"GOLD"}}}`},
		{"lists of the same length merged element by element",
			`{"dashboard":{"orders":[{"id":"1"},{"id":"2"}]}}`, path("dashboard"), `{"orders":[{"status":"NEW"},{"status":"PAID"}]}`,
			`{"dashboard":{"orders":[{"id":"1","status":"NEW"},{"id":"2","status":"PAID"}]}}`},
		{"lists of other lengths replaced",
			`{"dashboard":{"orders":[{"id":"1"}]}}`, path("dashboard"), `{"orders":[]}`,
			`{"dashboard":{"orders":[]}}`},
		{"a value replaced by null",
			`{"dashboard":{"wallet":{"points":1}}}`, path("dashboard"), `{"wallet":null}`,
			`{"dashboard":{"wallet":null}}`},
		{"nested path",
			`{"dashboard":{"orders":[{"id":"1","items":[{"q":1}]}]}}`, path("dashboard", "orders", 0, "items", 0), `{"product":{"name":"p"}}`,
			`{"dashboard":{"orders":[{"id":"1","items":[{"q":1,"product":{"name":"p"}}]}]}}`},
		{"list index",
			`{"dashboards":[{"userId":"u1"},{"userId":"u2"}]}`, path("dashboards", 1), `{"wallet":null}`,
			`{"dashboards":[{"userId":"u1"},{"userId":"u2","wallet":null}]}`},
		{"index out of range: dropped",
			`{"dashboards":[{"userId":"u1"}]}`, path("dashboards", 1), `{"wallet":null}`,
			`{"dashboards":[{"userId":"u1"}]}`},
		{"negative index: dropped",
			`{"dashboards":[{"userId":"u1"}]}`, path("dashboards", -1), `{"wallet":null}`,
			`{"dashboards":[{"userId":"u1"}]}`},
		{"null parent: dropped",
			`{"dashboard":null}`, path("dashboard"), `{"wallet":{"points":1}}`,
			`{"dashboard":null}`},
		{"null list element: dropped",
			`{"dashboards":[null]}`, path("dashboards", 0), `{"wallet":{"points":1}}`,
			`{"dashboards":[null]}`},
		{"index into an object: dropped",
			`{"dashboard":{"a":1}}`, path("dashboard", 0), `{"wallet":null}`,
			`{"dashboard":{"a":1}}`},
		{"name into a list: dropped",
			`{"dashboards":[{"a":1}]}`, path("dashboards", "a"), `{"wallet":null}`,
			`{"dashboards":[{"a":1}]}`},
		{"missing parent created",
			`{"other":1}`, path("dashboard"), `{"wallet":null}`,
			`{"other":1,"dashboard":{"wallet":null}}`},
		{"null data (a fragment failed as a whole): nothing",
			`{"dashboard":{"a":1}}`, path("dashboard"), `null`,
			`{"dashboard":{"a":1}}`},
		{"empty path: the root",
			`{"a":1}`, nil, `{"b":2}`,
			`{"a":1,"b":2}`},
		{"untouched values kept as they came",
			`{"dashboard": {"orders": [1, 2]}, "e": "\u00e9"}`, path("dashboard"), `{"w":1}`,
			`{"dashboard":{"orders":[1, 2],"w":1},"e":"\u00e9"}`},
		{"keys with escapes",
			`{"a\"b":{"x":1}}`, path(`a"b`), `{"y":2}`,
			`{"a\"b":{"x":1,"y":2}}`},
		{"no initial data",
			``, path("dashboard"), `{"w":1}`,
			`null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &jsonValue{raw: []byte(tt.initial)}
			v.mergeAt(tt.path, []byte(tt.data))
			got := string(v.appendTo(nil))
			if got != tt.want {
				t.Errorf("%s merged at %v into %s = %s; want %s", tt.data, tt.path, tt.initial, got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("%s is not JSON", got)
			}
		})
	}
}

// Several parts merge in turn, into what earlier ones left.
func TestMergeAtInTurn(t *testing.T) {
	v := &jsonValue{raw: []byte(`{"dashboards":[{"userId":"u1","wallet":null},{"userId":"u2","wallet":null}]}`)}
	v.mergeAt(path("dashboards", 1), []byte(`{"wallet":{"points":2}}`))
	v.mergeAt(path("dashboards", 0), []byte(`{"wallet":{"points":1},"orders":[{"id":"1"}]}`))
	v.mergeAt(path("dashboards", 0), []byte(`{"orders":[{"status":"NEW"}]}`))
	want := `{"dashboards":[{"userId":"u1","wallet":{"points":1},"orders":[{"id":"1","status":"NEW"}]},{"userId":"u2","wallet":{"points":2}}]}`
	if got := string(v.appendTo(nil)); got != want {
		t.Errorf("merged %s; want %s", got, want)
	}
}

// collect answers in one response: the parts' data merged in, their
// errors after the initial ones, their extensions over the initial ones;
// at the deadline, each announced part missing has an error at its path,
// and without announcements one error says some are missing.
func TestCollect(t *testing.T) {
	board := path("dashboard")
	deadlineErr := func(p string) string {
		return `{"message":"deferred fields did not resolve before the request deadline",` + p + `"extensions":{"code":"DEADLINE_EXCEEDED"}}`
	}
	first := func() *graphql.Response {
		r := initial(`{"dashboard":{"profile":null,"wallet":null}}`, nil)
		r.Errors = append(r.Errors, upstreamError("dashboard", "profile"))
		r.Extensions = map[string]any{"stale": "a"}
		return r
	}
	wallet := part(board, "w", `{"wallet":{"points":1}}`, true)
	wallet.Extensions = map[string]any{"stale": "b", "timing": 1}
	orders := part(board, "o", `{"orders":null}`, false, upstreamError("dashboard", "orders"))
	tests := []struct {
		name      string
		ctx       context.Context
		parts     []*graphql.Response
		pending   []Pending
		announced bool
		want      string
	}{
		{"every part", context.Background(), []*graphql.Response{wallet, orders}, nil, false,
			`{"errors":[` + string(appendJSON(nil, upstreamError("dashboard", "profile"))) + `,` + string(appendJSON(nil, upstreamError("dashboard", "orders"))) + `],` +
				`"data":{"dashboard":{"profile":null,"wallet":{"points":1},"orders":null}},"extensions":{"stale":"b","timing":1}}`},
		{"deadline, announced", pastDeadline(t), []*graphql.Response{wallet}, []Pending{{Path: board, Label: "w"}, {Path: board, Label: "o"}}, true,
			`{"errors":[` + string(appendJSON(nil, upstreamError("dashboard", "profile"))) + `,` + deadlineErr(`"path":["dashboard"],`) + `],` +
				`"data":{"dashboard":{"profile":null,"wallet":{"points":1}}},"extensions":{"stale":"b","timing":1}}`},
		{"deadline, not announced", pastDeadline(t), []*graphql.Response{wallet}, nil, false,
			`{"errors":[` + string(appendJSON(nil, upstreamError("dashboard", "profile"))) + `,` + deadlineErr(``) + `],` +
				`"data":{"dashboard":{"profile":null,"wallet":{"points":1}}},"extensions":{"stale":"b","timing":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := make(chan *graphql.Response, len(tt.parts))
			for _, r := range tt.parts {
				parts <- r
			}
			got := collect(tt.ctx, first(), parts, tt.pending, tt.announced)
			if got.HasNext != nil {
				t.Errorf("hasNext %v; want none", *got.HasNext)
			}
			if b := string(appendResult(append([]byte(nil), '{'), got)) + "}"; b != tt.want {
				t.Errorf("collected\n%s\nwant\n%s", b, tt.want)
			}
		})
	}
}
