package graphqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
)

// collect answers an incremental operation in one response, for a client
// that cannot take its parts as they come: it takes every later response
// from parts, under ctx's deadline as stream does, merges each part's data
// into first's at the part's path (merge) and appends its errors, its
// extensions over first's. Parts that had not come lateParts after the
// deadline are missing: each announced one (pending, when announced) gets
// a DEADLINE_EXCEEDED error at its path; without announcements, one error
// without a path says that some are.
func collect(ctx context.Context, first *graphql.Response, parts <-chan *graphql.Response, pending []Pending, announced bool) *graphql.Response {
	root := &jsonValue{raw: first.Data}
	out := &graphql.Response{Errors: first.Errors, Extensions: first.Extensions}
	delivered := make(map[string]bool, len(pending)) // by pendingKey, when announced
	complete := receive(ctx, parts, func(rs []*graphql.Response, _ bool) {
		for _, r := range rs {
			root.mergeAt(r.Path, r.Data)
			out.Errors = append(out.Errors, r.Errors...)
			if len(r.Extensions) > 0 {
				if out.Extensions == nil {
					out.Extensions = map[string]any{}
				}
				maps.Copy(out.Extensions, r.Extensions)
			}
			if announced {
				delivered[pendingKey(r.Path, r.Label)] = true
			}
		}
	})
	if !complete {
		for _, p := range pending {
			if !delivered[pendingKey(p.Path, p.Label)] {
				out.Errors = append(out.Errors, undelivered(p.Path))
			}
		}
		if !announced {
			out.Errors = append(out.Errors, undelivered(nil))
		}
	}
	out.Errors = apierror.FoldTruncated(out.Errors) // one answer, one count of the errors left out
	out.Data = root.appendTo(nil)
	return out
}

// jsonValue is a JSON value that parts are merged into. It stays the bytes
// it came as, except where a merge reaches: there it is split into an
// object's members, in their order, or an array's elements.
type jsonValue struct {
	raw     []byte       // the value, when not split
	split   byte         // '{' or '[' once split, else 0
	members []member     // of a split object
	elems   []*jsonValue // of a split array
}

type member struct {
	key string
	val *jsonValue
}

// mergeAt merges data, a deferred fragment's fields, into the object at
// path below v. Along the path, a missing member is added as an empty
// object (as clients merging a part do); a null, a scalar, an index out of
// range or a member where an index is due (or the reverse), at the path or
// on the way, leaves no object for the data: it is dropped, as the error
// that nulled the parent explains its absence.
func (v *jsonValue) mergeAt(path ast.Path, data []byte) {
	if isNull(data) {
		return
	}
	for _, el := range path {
		switch el := el.(type) {
		case ast.PathName:
			if !v.splitAs('{') {
				return
			}
			next := v.find(string(el))
			if next == nil {
				next = &jsonValue{raw: []byte("{}")}
				v.members = append(v.members, member{string(el), next})
			}
			v = next
		case ast.PathIndex:
			if !v.splitAs('[') || int(el) < 0 || int(el) >= len(v.elems) {
				return
			}
			v = v.elems[el]
		default:
			return
		}
	}
	if v.kind() == '{' {
		v.merge(data)
	}
}

// find returns the value of v's member key, or nil. v is a split object.
func (v *jsonValue) find(key string) *jsonValue {
	for _, m := range v.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// merge merges data into v as clients merge a part: two objects member by
// member (a member v has is merged in its place, a new one goes after the
// others), two arrays of the same length element by element; anything
// else replaces v (a deferred field gqlgen wrote as null, say).
func (v *jsonValue) merge(data []byte) {
	in := &jsonValue{raw: data}
	switch {
	case v.kind() == '{' && in.splitAs('{') && v.splitAs('{'):
		for _, m := range in.members {
			if old := v.find(m.key); old != nil {
				old.merge(m.val.raw)
			} else {
				v.members = append(v.members, m)
			}
		}
	case v.kind() == '[' && in.splitAs('[') && v.splitAs('[') && len(in.elems) == len(v.elems):
		for i, e := range in.elems {
			v.elems[i].merge(e.raw)
		}
	default:
		*v = jsonValue{raw: data}
	}
}

// kind is '{' for an object, '[' for an array, else the first byte of the
// value ('n' for null).
func (v *jsonValue) kind() byte {
	if v.split != 0 {
		return v.split
	}
	raw := bytes.TrimLeft(v.raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// splitAs splits v into an object's members (kind '{') or an array's
// elements (kind '['), if it is one; it reports whether v is split so.
func (v *jsonValue) splitAs(kind byte) bool {
	if v.split != 0 || v.kind() != kind {
		return v.split == kind
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if _, err := dec.Token(); err != nil {
		return false
	}
	out := jsonValue{split: kind}
	for dec.More() {
		var key string
		if kind == '{' {
			t, err := dec.Token()
			var isKey bool
			if key, isKey = t.(string); err != nil || !isKey {
				return false
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return false
		}
		if val := (&jsonValue{raw: raw}); kind == '{' {
			out.members = append(out.members, member{key, val})
		} else {
			out.elems = append(out.elems, val)
		}
	}
	*v = out
	return true
}

// appendTo appends v in JSON.
func (v *jsonValue) appendTo(b []byte) []byte {
	switch v.split {
	case '{':
		b = append(b, '{')
		for i, m := range v.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSON(b, m.key), ':')
			b = m.val.appendTo(b)
		}
		return append(b, '}')
	case '[':
		b = append(b, '[')
		for i, e := range v.elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendTo(b)
		}
		return append(b, ']')
	}
	return appendRaw(b, v.raw)
}
