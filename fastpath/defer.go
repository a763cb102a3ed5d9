package fastpath

import (
	"cmp"
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// incremental reports whether the operation's client accepts incremental
// delivery (multipart/mixed): only then is @defer honoured; otherwise a
// deferred fragment is delivered with its parent, as the incremental
// delivery RFC allows.
func incremental(opCtx *graphql.OperationContext) bool {
	return opCtx.Headers != nil && graphqlhttp.AcceptsIncremental(opCtx.Headers.Get("Accept"))
}

// A part is one deferred group of one object: a payload of its own, sent
// once every field of the group (and everything below them) resolved. An
// object has a part for each group its selection has fields in, and only
// those: a fragment deferred elsewhere costs it nothing.
type part struct {
	t     *objectType
	sel   *selection
	obj   any
	n     *node
	path  ast.Path
	group int
	unit  unit
}

// newParts registers the parts of obj (an object of type t whose selection
// is sel and node n, whose field context is ctx's), one per deferred group
// of sel, each unit holding until the caller has added its tasks.
func (x *execution) newParts(ctx context.Context, t *objectType, sel *selection, obj any, n *node) []*part {
	path := ast.Path{}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		path = fc.Path()
	}
	parts := make([]part, len(sel.groups))
	out := make([]*part, len(sel.groups))
	for i, g := range sel.groups {
		p := &parts[i]
		*p = part{t: t, sel: sel, obj: obj, n: n, path: path, group: g}
		p.unit.x, p.unit.part = x, p
		p.unit.hold()
		out[i] = p
	}
	x.mu.Lock()
	x.parts = append(x.parts, out...)
	x.mu.Unlock()
	return out
}

// readied takes p as ready to send.
func (x *execution) readied(p *part) {
	x.mu.Lock()
	x.ready = append(x.ready, p)
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// stream returns the responses of an operation with deferred groups: the
// initial one once every field outside them resolved, then one per part,
// in the order their fields finish resolving. Every field starts resolving
// at once, under ctx (the request's deadline): a part still pending at the
// deadline completes then, with its fields' DEADLINE_EXCEEDED errors.
func (x *execution) stream(ctx context.Context) graphql.ResponseHandler {
	x.wake = make(chan struct{}, 1)
	var pending map[*part]bool
	first := true
	return func(rctx context.Context) *graphql.Response {
		if first {
			first = false
			x.resolve(ctx)
			data := x.writeInitial(rctx)
			var dropped map[*part]bool
			pending, dropped = x.sent()
			x.report(rctx, dropped)
			hasNext := len(pending) > 0
			if hasNext && graphqlhttp.NeedsPending(x.opCtx.Headers.Get("Accept")) {
				graphql.RegisterExtension(rctx, graphqlhttp.PendingExtension, announced(pending, x.plan.labels))
			}
			return &graphql.Response{Data: data, HasNext: x.flag(hasNext)}
		}
		if len(pending) == 0 {
			return nil
		}
		// Every part ready by now goes in this response: the first as
		// the response, the others carried with it (graphqlhttp.BatchExtension),
		// each written with a response context of its own for its errors,
		// so that a batch of parts costs one trip through the executor's
		// response chain, not one each.
		batch := x.take(pending)
		first := x.part(rctx, batch[0], pending)
		var more []*graphql.Response
		for _, p := range batch[1:] {
			pctx := graphql.WithFreshResponseContext(rctx)
			r := x.part(pctx, p, pending)
			r.Errors = graphql.GetErrors(pctx)
			more = append(more, r)
		}
		if more != nil {
			graphql.RegisterExtension(rctx, graphqlhttp.BatchExtension, more)
		}
		first.HasNext = x.flag(len(pending) > 0)
		return first
	}
}

// part writes p, taken from pending, as a response; its errors go to ctx.
func (x *execution) part(ctx context.Context, p *part, pending map[*part]bool) *graphql.Response {
	delete(pending, p)
	w := x.writer(ctx)
	w.path = append(w.path, p.path...)
	if !p.t.write(w, p.sel, p.obj, p.n, p.group) {
		w.b = append(w.b[:0], "null"...)
	}
	r := x.response(len(pending) + 1)
	*r = graphql.Response{Data: x.keep(w.b), Path: p.path, Label: x.plan.labels[p.group-1], HasNext: x.flag(len(pending) > 0)}
	w.release()
	return r
}

// dataChunk is the size of the chunks that parts' data is kept in.
const dataChunk = 32 << 10

// keep returns a copy of b that stays valid for the rest of the execution,
// in a chunk shared with other parts' data: one allocation for many small
// parts rather than one each.
func (x *execution) keep(b []byte) []byte {
	if cap(x.data)-len(x.data) < len(b) {
		x.data = make([]byte, 0, max(len(b), dataChunk))
	}
	start := len(x.data)
	x.data = append(x.data, b...)
	return x.data[start:len(x.data):len(x.data)]
}

// response returns a response for a part, of a batch allocated for the
// remaining parts of the execution.
func (x *execution) response(remaining int) *graphql.Response {
	if len(x.responses) == 0 {
		x.responses = make([]graphql.Response, remaining)
	}
	r := &x.responses[0]
	x.responses = x.responses[1:]
	return r
}

// flag returns a pointer to v, for a response's HasNext, without an
// allocation per response: the execution holds both values.
func (x *execution) flag(v bool) *bool {
	if v {
		return &x.flags[1]
	}
	return &x.flags[0]
}

// sent returns the parts whose object the initial response holds (written,
// and not cut since), which will be sent, and those a null propagating over
// their object cut out of it, which will not.
func (x *execution) sent() (sent, dropped map[*part]bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sent, dropped = make(map[*part]bool, len(x.parts)), map[*part]bool{}
	for _, p := range x.parts {
		if p.n.seq == 0 || slices.ContainsFunc(x.cuts, func(c cut) bool { return c.seq > p.n.seq && c.at <= p.n.pos }) {
			dropped[p] = true
			continue
		}
		sent[p] = true
	}
	return sent, dropped
}

// report adds the errors of the parts that will not be sent to the
// response of ctx, once their fields are in: a client gets every error of
// the fields it asked for, as gqlgen reports those of a sibling of a field
// whose null took their parent.
func (x *execution) report(ctx context.Context, dropped map[*part]bool) {
	for len(dropped) > 0 {
		for _, p := range x.take(dropped) {
			delete(dropped, p)
			w := x.writer(ctx)
			w.path = append(w.path, p.path...)
			p.t.write(w, p.sel, p.obj, p.n, p.group)
			w.release() // the data goes nowhere
		}
	}
}

// take returns the parts of pending that are ready, in the order they
// became so, waiting for one if none is yet. Every field ends by the
// deadline, so does the wait.
func (x *execution) take(pending map[*part]bool) []*part {
	for {
		var out []*part
		x.mu.Lock()
		kept := x.ready[:0]
		for _, p := range x.ready {
			if pending[p] {
				out = append(out, p)
			} else {
				kept = append(kept, p)
			}
		}
		clear(x.ready[len(kept):])
		x.ready = kept
		x.mu.Unlock()
		if out != nil {
			return out
		}
		<-x.wake
	}
}

// announced returns the parts to come, ordered by path and group, as
// clients that are told them up front are (graphqlhttp.PendingExtension).
func announced(pending map[*part]bool, labels []string) []graphqlhttp.Pending {
	parts := make([]*part, 0, len(pending))
	for p := range pending {
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b *part) int {
		return cmp.Or(comparePaths(a.path, b.path), cmp.Compare(a.group, b.group))
	})
	out := make([]graphqlhttp.Pending, len(parts))
	for i, p := range parts {
		out[i] = graphqlhttp.Pending{Path: p.path, Label: labels[p.group-1]}
	}
	return out
}

// comparePaths orders paths element by element: names before indexes,
// names alphabetically, indexes by number, a prefix first.
func comparePaths(a, b ast.Path) int {
	for i := range min(len(a), len(b)) {
		switch x := a[i].(type) {
		case ast.PathName:
			y, ok := b[i].(ast.PathName)
			if !ok {
				return -1
			}
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
		case ast.PathIndex:
			y, ok := b[i].(ast.PathIndex)
			if !ok {
				return 1
			}
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return cmp.Compare(len(a), len(b))
}
