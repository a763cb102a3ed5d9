package graphqlhttp

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Incremental delivery (@defer) goes out as multipart/mixed in the format
// Apollo Client and urql read: the boundary "-", each part a JSON object,
// the first {"data", "errors", "hasNext": true}, then
// {"incremental": [{"data", "path", "label", "errors", "extensions"}],
// "hasNext"}; the delimiter follows every part at once, so that a client
// takes the part in without waiting for the next one.
const (
	mediaMultipart       = "multipart/mixed"
	deferSpec            = "20220824"
	multipartContentType = `multipart/mixed; boundary="-"; deferSpec=` + deferSpec
	partHeader           = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
	delimiter            = "\r\n---"
	closeDelimiter       = "--\r\n"
)

// lateParts is how long after the request's deadline the parts still
// being resolved are waited for. Every field ends at the deadline (each
// resolver watches it), so the parts come within a few milliseconds; this
// bounds the answer should one not, keeping it within deadline + 25 ms.
const lateParts = 20 * time.Millisecond

// AcceptsIncremental reports whether an Accept header takes incremental
// delivery: multipart/mixed with no deferSpec or deferSpec=20220824.
func AcceptsIncremental(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != mediaMultipart || params["q"] == "0" {
			continue
		}
		if spec, ok := params["deferspec"]; !ok || spec == deferSpec {
			return true
		}
	}
	return false
}

// stream writes an operation's responses as multipart/mixed: first, then
// each part as responses yields it, flushed at once. Once ctx (the request)
// reaches its deadline, the parts still to come are gathered into one last
// part, written when the last has come or lateParts after the deadline,
// whichever is first; should the client go away, it stops.
func stream(ctx context.Context, w http.ResponseWriter, first *graphql.Response, responses graphql.ResponseHandler) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", multipartContentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	b := append([]byte("---"), partHeader...)
	b = appendInitial(b, first)
	b = append(b, delimiter...)
	_, _ = w.Write(b)
	_ = rc.Flush()

	// The executor ends the stream once the context it is given is done:
	// the parts at the deadline are asked for with one that is not.
	next := make(chan *graphql.Response)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		ctx := context.WithoutCancel(ctx)
		for {
			r := responses(ctx)
			select {
			case next <- r:
			case <-stop:
				return
			}
			if r == nil || r.HasNext == nil || !*r.HasNext {
				return
			}
		}
	}()

	var late []*graphql.Response // gathered after the deadline
	var backstop <-chan time.Time
	d, hasDeadline := ctx.Deadline()
	// past tells whether the deadline has passed, by the clock: a part that
	// ended at the deadline may come before ctx.Done is seen (the calls
	// watch timers of their own for the same deadline).
	past := func() bool { return hasDeadline && !time.Now().Before(d) }
	// gather starts gathering what is left; it reports false when the
	// request ended before its deadline: the client is gone.
	gather := func() bool {
		if backstop == nil {
			if !past() {
				return false
			}
			backstop = time.After(time.Until(d.Add(lateParts)))
		}
		return true
	}
	done := ctx.Done()
	for {
		select {
		case r := <-next:
			last := r == nil || r.HasNext == nil || !*r.HasNext
			if r != nil {
				late = append(late, r)
			}
			if !last && past() {
				if !gather() {
					return
				}
				continue
			}
			writePart(w, late, last)
			_ = rc.Flush()
			late = late[:0]
			if last {
				return
			}
		case <-done:
			done = nil // closed for good: once is enough
			if !gather() {
				return
			}
		case <-backstop:
			writePart(w, late, true)
			_ = rc.Flush()
			return
		}
	}
}

// appendInitial appends the initial payload of a stream.
func appendInitial(b []byte, r *graphql.Response) []byte {
	b = append(b, '{')
	if len(r.Errors) > 0 {
		b = appendJSON(append(b, `"errors":`...), r.Errors)
		b = append(b, ',')
	}
	b = appendRaw(append(b, `"data":`...), r.Data)
	if len(r.Extensions) > 0 {
		b = appendJSON(append(b, `,"extensions":`...), r.Extensions)
	}
	return append(b, `,"hasNext":true}`...)
}

// writePart writes one subsequent payload holding rs, then the delimiter,
// or the close delimiter when it is the last.
func writePart(w http.ResponseWriter, rs []*graphql.Response, last bool) {
	b := append([]byte(nil), partHeader...)
	b = append(b, `{"incremental":[`...)
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendIncremental(b, r)
	}
	b = append(b, `],"hasNext":`...)
	if last {
		b = append(b, "false}"...)
		b = append(b, delimiter...)
		b = append(b, closeDelimiter...)
	} else {
		b = append(b, "true}"...)
		b = append(b, delimiter...)
	}
	_, _ = w.Write(b)
}

// appendIncremental appends one deferred result: its data, where it goes,
// and its own errors and extensions.
func appendIncremental(b []byte, r *graphql.Response) []byte {
	b = appendRaw(append(b, `{"data":`...), r.Data)
	path := r.Path
	if path == nil {
		path = ast.Path{}
	}
	b = appendJSON(append(b, `,"path":`...), path)
	if r.Label != "" {
		b = appendJSON(append(b, `,"label":`...), r.Label)
	}
	if len(r.Errors) > 0 {
		b = appendJSON(append(b, `,"errors":`...), r.Errors)
	}
	if len(r.Extensions) > 0 {
		b = appendJSON(append(b, `,"extensions":`...), r.Extensions)
	}
	return append(b, '}')
}

func appendRaw(b, data []byte) []byte {
	if len(data) == 0 {
		return append(b, "null"...)
	}
	return append(b, data...)
}

// appendJSON appends v in JSON. What it is given (paths, labels, presented
// errors, extensions) always encodes; should one not, it appends null
// rather than break the stream.
func appendJSON(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		j = []byte("null")
	}
	return append(b, j...)
}
