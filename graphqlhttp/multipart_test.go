package graphqlhttp

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// batchWriter records an answer and, each time a payload is written,
// hands parts the next batch of responses: receive then finds a batch
// whole when it looks, so the answer's payloads hold exactly the batches.
type batchWriter struct {
	*httptest.ResponseRecorder
	parts   chan<- *graphql.Response
	batches [][]*graphql.Response
}

func (w *batchWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseRecorder.Write(b)
	if len(w.batches) > 0 {
		for _, r := range w.batches[0] {
			w.parts <- r
		}
		w.batches = w.batches[1:]
	}
	return n, err
}

// streamed runs stream in format f over first and the later responses in
// batches, and returns the Content-Type and the body written.
func streamed(tb testing.TB, ctx context.Context, f payloads, first *graphql.Response, batches ...[]*graphql.Response) (contentType, body string) {
	tb.Helper()
	n := 0
	for _, batch := range batches {
		n += len(batch)
	}
	parts := make(chan *graphql.Response, n)
	w := &batchWriter{ResponseRecorder: httptest.NewRecorder(), parts: parts, batches: batches}
	Handler{}.stream(ctx, w, first, parts, f)
	return w.Header().Get("Content-Type"), w.Body.String()
}

// multipartBody frames JSON payloads as stream does.
func multipartBody(payloads ...string) string {
	var b strings.Builder
	b.WriteString("---")
	for _, p := range payloads {
		b.WriteString(partHeader + p + delimiter)
	}
	b.WriteString(closeDelimiter)
	return b.String()
}

// initial returns the first response of an incremental answer, announcing
// pending when it is not nil.
func initial(data string, pending []Pending) *graphql.Response {
	r := &graphql.Response{Data: []byte(data), HasNext: ptr(true)}
	if pending != nil {
		r.Extensions = map[string]any{PendingExtension: pending}
	}
	return r
}

// part returns a later response: data for the fragment label at path.
func part(path ast.Path, label, data string, hasNext bool, errs ...*gqlerror.Error) *graphql.Response {
	return &graphql.Response{Path: path, Label: label, Data: []byte(data), HasNext: ptr(hasNext), Errors: errs}
}

func path(elems ...any) ast.Path {
	var p ast.Path
	for _, e := range elems {
		switch e := e.(type) {
		case string:
			p = append(p, ast.PathName(e))
		case int:
			p = append(p, ast.PathIndex(e))
		}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// upstreamError is an error as the presenter leaves it, at the path given.
func upstreamError(elems ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: "orders service unavailable", Path: path(elems...),
		Extensions: map[string]any{"code": "UPSTREAM_ERROR"}}
}

// pastDeadline is a context whose deadline has just passed, as a
// request's has when the parts left at it come.
func pastDeadline(tb testing.TB) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now())
	tb.Cleanup(cancel)
	return ctx
}

// In the 2022 format, the parts that are ready together go out in one
// payload; the last closes the answer.
func TestStream2022Batches(t *testing.T) {
	first := initial(`{"dashboards":[{"name":"a"},{"name":"b"}]}`, nil)
	ct, got := streamed(t, context.Background(), format2022{}, first,
		[]*graphql.Response{
			part(path("dashboards", 0), "w", `{"wallet":{"points":1}}`, true),
			part(path("dashboards", 1), "w", `{"wallet":{"points":2}}`, true),
		},
		[]*graphql.Response{part(path("dashboards", 0), "", `{"orders":null}`, false, upstreamError("dashboards", 0, "orders"))},
	)
	want := multipartBody(
		`{"data":{"dashboards":[{"name":"a"},{"name":"b"}]},"hasNext":true}`,
		`{"incremental":[{"data":{"wallet":{"points":1}},"path":["dashboards",0],"label":"w"},`+
			`{"data":{"wallet":{"points":2}},"path":["dashboards",1],"label":"w"}],"hasNext":true}`,
		`{"incremental":[{"data":{"orders":null},"path":["dashboards",0],`+
			`"errors":[{"message":"orders service unavailable","path":["dashboards",0,"orders"],"extensions":{"code":"UPSTREAM_ERROR"}}]}],"hasNext":false}`,
	)
	if ct != `multipart/mixed; boundary="-"; deferSpec=20220824` {
		t.Errorf("Content-Type %q; want deferSpec=20220824", ct)
	}
	if got != want {
		t.Errorf("body\n%q\nwant\n%q", got, want)
	}
}

// At the deadline, what has come goes in one last payload, lateParts
// after it at the latest (at once when that time has passed already); in
// the 2022 format the parts still missing are not named.
func TestStream2022Deadline(t *testing.T) {
	longPast, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	want := multipartBody(
		`{"data":{"dashboard":{"name":"a"}},"hasNext":true}`,
		`{"incremental":[{"data":{"wallet":{"points":1}},"path":["dashboard"],"label":"w"},`+
			`{"data":{"notifications":null},"path":["dashboard"],"label":"n"}],"hasNext":false}`,
	)
	for name, ctx := range map[string]context.Context{"just past": pastDeadline(t), "long past": longPast} {
		first := initial(`{"dashboard":{"name":"a"}}`, nil)
		_, got := streamed(t, ctx, format2022{}, first, []*graphql.Response{
			part(path("dashboard"), "w", `{"wallet":{"points":1}}`, true),
			part(path("dashboard"), "n", `{"notifications":null}`, true),
		})
		if got != want {
			t.Errorf("deadline %s: body\n%q\nwant\n%q", name, got, want)
		}
	}
}

// The incrementalSpec=v0.2 format, byte for byte: the parts announced
// first, each delivered by id and completed; several ready together in
// one payload; a part's own errors with its data; a fragment that failed
// as a whole completed with its errors and no data (its extensions the
// payload's); a part never
// announced announced when it comes; at the deadline, the parts that
// never came completed with DEADLINE_EXCEEDED.
func TestStreamV02(t *testing.T) {
	board := path("dashboard")
	pending := []Pending{{Path: board, Label: "w"}, {Path: board, Label: "o"}, {Path: board}}
	deadlineErr := `{"message":"deferred fields did not resolve before the request deadline","path":["dashboard"],"extensions":{"code":"DEADLINE_EXCEEDED"}}`
	ordersErr := `{"message":"orders service unavailable","path":["dashboard","orders"],"extensions":{"code":"UPSTREAM_ERROR"}}`
	failed := part(board, "o", `null`, true, upstreamError("dashboard", "orders"))
	failed.Extensions = map[string]any{"stale": []string{"orders"}}
	first := `{"data":{"dashboard":{"name":"a"}},"pending":[{"id":"0","path":["dashboard"],"label":"w"},` +
		`{"id":"1","path":["dashboard"],"label":"o"},{"id":"2","path":["dashboard"]}],"hasNext":true}`
	tests := []struct {
		name    string
		ctx     context.Context
		batches [][]*graphql.Response
		want    []string
	}{
		{
			name: "one part each",
			ctx:  context.Background(),
			batches: [][]*graphql.Response{
				{part(board, "w", `{"wallet":{"points":1}}`, true)},
				{part(board, "o", `{"orders":[]}`, true)},
				{part(board, "", `{"profile":{"tier":"GOLD"}}`, false)},
			},
			want: []string{
				`{"incremental":[{"id":"0","data":{"wallet":{"points":1}}}],"completed":[{"id":"0"}],"hasNext":true}`,
				`{"incremental":[{"id":"1","data":{"orders":[]}}],"completed":[{"id":"1"}],"hasNext":true}`,
				`{"incremental":[{"id":"2","data":{"profile":{"tier":"GOLD"}}}],"completed":[{"id":"2"}],"hasNext":false}`,
			},
		},
		{
			name: "several in one payload, one with errors",
			ctx:  context.Background(),
			batches: [][]*graphql.Response{{
				part(board, "o", `{"orders":null}`, true, upstreamError("dashboard", "orders")),
				part(board, "", `{"profile":{"tier":"GOLD"}}`, true),
				part(board, "w", `{"wallet":{"points":1}}`, false),
			}},
			want: []string{
				`{"incremental":[{"id":"1","data":{"orders":null},"errors":[` + ordersErr + `]},` +
					`{"id":"2","data":{"profile":{"tier":"GOLD"}}},{"id":"0","data":{"wallet":{"points":1}}}],` +
					`"completed":[{"id":"1"},{"id":"2"},{"id":"0"}],"hasNext":false}`,
			},
		},
		{
			name: "failed as a whole, and not announced",
			ctx:  context.Background(),
			batches: [][]*graphql.Response{
				{failed},
				{part(board, "w", `{"wallet":null}`, true), part(board, "", `{"profile":null}`, true)},
				{part(path("dashboards", 3), "x", `{"wallet":null}`, false)},
			},
			want: []string{
				`{"completed":[{"id":"1","errors":[` + ordersErr + `]}],"extensions":{"stale":["orders"]},"hasNext":true}`,
				`{"incremental":[{"id":"0","data":{"wallet":null}},{"id":"2","data":{"profile":null}}],"completed":[{"id":"0"},{"id":"2"}],"hasNext":true}`,
				`{"pending":[{"id":"3","path":["dashboards",3],"label":"x"}],"incremental":[{"id":"3","data":{"wallet":null}}],"completed":[{"id":"3"}],"hasNext":false}`,
			},
		},
		{
			name: "deadline",
			ctx:  pastDeadline(t),
			batches: [][]*graphql.Response{
				{part(board, "w", `{"wallet":{"points":1}}`, true), part(board, "", `{"profile":null}`, true)},
			},
			want: []string{
				`{"incremental":[{"id":"0","data":{"wallet":{"points":1}}},{"id":"2","data":{"profile":null}}],` +
					`"completed":[{"id":"0"},{"id":"2"},{"id":"1","errors":[` + deadlineErr + `]}],"hasNext":false}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, got := streamed(t, tt.ctx, newFormatV02(pending), initial(`{"dashboard":{"name":"a"}}`, nil), tt.batches...)
			if want := multipartBody(append([]string{first}, tt.want...)...); got != want {
				t.Errorf("body\n%q\nwant\n%q", got, want)
			}
			if ct != `multipart/mixed; boundary="-"; incrementalSpec=v0.2` {
				t.Errorf("Content-Type %q; want incrementalSpec=v0.2", ct)
			}
		})
	}
}

// A client that goes away before the deadline ends the answer: no last
// payload is written for it.
func TestStreamClientGone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	cancel()
	_, got := streamed(t, ctx, format2022{}, initial(`{"dashboard":{}}`, nil))
	if want := "---" + partHeader + `{"data":{"dashboard":{}},"hasNext":true}` + delimiter; got != want {
		t.Errorf("body %q; want %q", got, want)
	}
}

// take gathers what has come, up to the stream's last response.
func TestTake(t *testing.T) {
	parts := make(chan *graphql.Response, 3)
	a, b, c := part(nil, "a", `{}`, true), part(nil, "b", `{}`, false), part(nil, "c", `{}`, false)
	parts <- b
	parts <- c
	got, last := take(nil, a, parts)
	if len(got) != 2 || got[0] != a || got[1] != b || !last {
		t.Errorf("take = %v, %v; want [a b], true (c is past the last)", got, last)
	}
	if got, last := take(nil, part(nil, "d", `{}`, true), make(chan *graphql.Response)); len(got) != 1 || last {
		t.Errorf("take with nothing waiting = %v, %v; want [d], false", got, last)
	}
	if got, last := take(nil, nil, parts); len(got) != 0 || !last {
		t.Errorf("take(nil) = %v, %v; want [], true: nil ends the stream", got, last)
	}
}
