package graphqlhttp

import (
	"encoding/json"
	"maps"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// payloads writes the JSON payloads of an incremental answer in one
// format (see incremental.go).
type payloads interface {
	// contentType is the answer's Content-Type.
	contentType() string
	// appendInitial appends the initial payload, of the first response.
	appendInitial(b []byte, first *graphql.Response) []byte
	// appendSubsequent appends a subsequent payload holding rs (maybe
	// none); last says it is the final one.
	appendSubsequent(b []byte, rs []*graphql.Response, last bool) []byte
}

// format2022 writes the deferSpec=20220824 format: each part an
// incremental result with its data, path and label.
type format2022 struct{}

func (format2022) contentType() string {
	return mediaMultipart + `; boundary="-"; deferSpec=` + deferSpec
}

func (format2022) appendInitial(b []byte, first *graphql.Response) []byte {
	return append(appendResult(append(b, '{'), first), `,"hasNext":true}`...)
}

func (format2022) appendSubsequent(b []byte, rs []*graphql.Response, last bool) []byte {
	b = append(b, `{"incremental":[`...)
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRaw(append(b, `{"data":`...), r.Data)
		b = appendPath(append(b, `,"path":`...), r.Path)
		if r.Label != "" {
			b = appendString(append(b, `,"label":`...), r.Label)
		}
		b = appendErrorsAndExtensions(b, r.Errors, r.Extensions)
		b = append(b, '}')
	}
	return appendHasNext(append(b, "],"...), last)
}

// formatV02 writes the incrementalSpec=v0.2 format: the parts announced in
// the initial payload, each with an id ("0", "1", ... in announcement
// order) that its data and its completion name.
type formatV02 struct {
	pending []Pending
	ids     map[string]int // pendingKey -> index in pending
	done    []bool         // by index in pending: completed
	// late is the error of a part still pending in the last payload;
	// nil: undelivered (the deadline passed).
	late func(ast.Path) *gqlerror.Error
}

// newFormatV02 returns the writer of an answer whose first response
// announced pending.
func newFormatV02(pending []Pending) *formatV02 {
	f := &formatV02{ids: make(map[string]int, len(pending))}
	for _, p := range pending {
		f.announce(p)
	}
	return f
}

// announce gives p the next id and returns it.
func (f *formatV02) announce(p Pending) int {
	id := len(f.pending)
	f.pending = append(f.pending, p)
	f.done = append(f.done, false)
	f.ids[pendingKey(p.Path, p.Label)] = id
	return id
}

// pendingKey is the key of a part's (path, label) pair in a map.
func pendingKey(path ast.Path, label string) string {
	return string(appendPath(nil, path)) + "\x00" + label
}

func (*formatV02) contentType() string {
	return mediaMultipart + `; boundary="-"; incrementalSpec=` + incrementalSpec
}

func (f *formatV02) appendInitial(b []byte, first *graphql.Response) []byte {
	b = appendResult(append(b, '{'), first)
	b = f.appendPending(append(b, `,"pending":`...), 0)
	return append(b, `,"hasNext":true}`...)
}

// appendPending appends the announcements from id from on, as a JSON array.
func (f *formatV02) appendPending(b []byte, from int) []byte {
	b = append(b, '[')
	for id := from; id < len(f.pending); id++ {
		if id > from {
			b = append(b, ',')
		}
		b = appendID(append(b, '{'), id)
		b = appendPath(append(b, `,"path":`...), f.pending[id].Path)
		if f.pending[id].Label != "" {
			b = appendString(append(b, `,"label":`...), f.pending[id].Label)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendSubsequent writes each of rs as an incremental result and a
// completion, or, for a fragment that failed as a whole (null data), a
// completion with its errors alone. A part that was not announced (the
// executor broke its promise) is announced in this payload, rather than
// lost. On the last payload, a part still not delivered (the deadline
// passed) completes with a DEADLINE_EXCEEDED error, so that every
// announcement is completed. Empty lists are left out, as graphql-js does.
func (f *formatV02) appendSubsequent(b []byte, rs []*graphql.Response, last bool) []byte {
	ids := make([]int, len(rs))
	announced := len(f.pending)
	data := 0 // parts with data
	for i, r := range rs {
		id, ok := f.ids[pendingKey(r.Path, r.Label)]
		if !ok {
			id = f.announce(Pending{Path: r.Path, Label: r.Label})
		}
		ids[i] = id
		f.done[id] = true
		if !isNull(r.Data) {
			data++
		}
	}
	var late []int // announced, never delivered
	if last {
		for id, done := range f.done {
			if !done {
				late = append(late, id)
				f.done[id] = true
			}
		}
	}

	b = append(b, '{')
	if len(f.pending) > announced {
		b = append(f.appendPending(append(b, `"pending":`...), announced), ',')
	}
	var ext map[string]any // of the parts that failed as a whole
	if data > 0 {
		b = append(b, `"incremental":[`...)
		n := 0
		for i, r := range rs {
			if isNull(r.Data) {
				continue
			}
			if n++; n > 1 {
				b = append(b, ',')
			}
			b = appendID(append(b, '{'), ids[i])
			b = appendRaw(append(b, `,"data":`...), r.Data)
			b = append(appendErrorsAndExtensions(b, r.Errors, r.Extensions), '}')
		}
		b = append(b, "],"...)
	}
	if len(rs)+len(late) > 0 {
		b = append(b, `"completed":[`...)
		for i, r := range rs {
			var errs gqlerror.List
			if isNull(r.Data) {
				errs = r.Errors
				if len(r.Extensions) > 0 {
					if ext == nil {
						ext = map[string]any{}
					}
					maps.Copy(ext, r.Extensions)
				}
			}
			b = appendCompleted(b, i > 0, ids[i], errs)
		}
		lateErr := f.late
		if lateErr == nil {
			lateErr = undelivered
		}
		for i, id := range late {
			b = appendCompleted(b, len(rs)+i > 0, id, gqlerror.List{lateErr(f.pending[id].Path)})
		}
		b = append(b, "],"...)
	}
	if len(ext) > 0 {
		b = append(appendJSON(append(b, `"extensions":`...), ext), ',')
	}
	return appendHasNext(b, last)
}

// appendCompleted appends the completion of part id, with errs when the
// fragment failed as a whole, after a comma unless it is the first.
func appendCompleted(b []byte, comma bool, id int, errs gqlerror.List) []byte {
	if comma {
		b = append(b, ',')
	}
	b = appendID(append(b, '{'), id)
	if len(errs) > 0 {
		b = appendJSON(append(b, `,"errors":`...), errs)
	}
	return append(b, '}')
}

// undelivered is the error of a deferred fragment at path (nil: of some
// fragments) that had not come when the answer ended, lateParts after the
// request's deadline.
func undelivered(path ast.Path) *gqlerror.Error {
	e := apierror.Errorf(apierror.DeadlineExceeded, "deferred fields did not resolve before the request deadline").GraphQL()
	e.Path = path
	return e
}

// appendResult appends the members of an ordinary response: its errors,
// data and extensions.
func appendResult(b []byte, r *graphql.Response) []byte {
	if len(r.Errors) > 0 {
		b = append(appendJSON(append(b, `"errors":`...), r.Errors), ',')
	}
	b = appendRaw(append(b, `"data":`...), r.Data)
	if len(r.Extensions) > 0 {
		b = appendJSON(append(b, `,"extensions":`...), r.Extensions)
	}
	return b
}

// appendErrorsAndExtensions appends a result's "errors" and "extensions"
// members, each when there are some.
func appendErrorsAndExtensions(b []byte, errs gqlerror.List, ext map[string]any) []byte {
	if len(errs) > 0 {
		b = appendJSON(append(b, `,"errors":`...), errs)
	}
	if len(ext) > 0 {
		b = appendJSON(append(b, `,"extensions":`...), ext)
	}
	return b
}

// appendHasNext appends the "hasNext" member that ends a subsequent
// payload, after the others and their comma.
func appendHasNext(b []byte, last bool) []byte {
	if last {
		return append(b, `"hasNext":false}`...)
	}
	return append(b, `"hasNext":true}`...)
}

func appendID(b []byte, id int) []byte {
	b = append(b, `"id":"`...)
	return append(strconv.AppendInt(b, int64(id), 10), '"')
}

func appendRaw(b, data []byte) []byte {
	if len(data) == 0 {
		return append(b, "null"...)
	}
	return append(b, data...)
}

// appendPath appends path in JSON ([] for none), as encoding/json would,
// without its allocations: a document can have thousands of parts.
func appendPath(b []byte, path ast.Path) []byte {
	b = append(b, '[')
	for i, el := range path {
		if i > 0 {
			b = append(b, ',')
		}
		switch el := el.(type) {
		case ast.PathIndex:
			b = strconv.AppendInt(b, int64(el), 10)
		case ast.PathName:
			b = appendString(b, string(el))
		}
	}
	return append(b, ']')
}

// appendString appends s as a JSON string, as encoding/json would for a
// label or a response key (HTML characters escaped too).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			return appendJSON(b, s) // rare: let encoding/json decide
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
