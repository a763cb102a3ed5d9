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
			pending = x.sent()
			hasNext := len(pending) > 0
			return &graphql.Response{Data: data, HasNext: &hasNext}
		}
		if len(pending) == 0 {
			return nil
		}
		p := x.next(pending)
		delete(pending, p)
		w := x.writer(rctx)
		w.path = append(w.path, p.path...)
		if !p.t.write(w, p.sel, p.obj, p.n, p.group) {
			w.b = append(w.b[:0], "null"...)
		}
		hasNext := len(pending) > 0
		return &graphql.Response{Data: w.bytes(), Path: p.path, Label: x.plan.labels[p.group-1], HasNext: &hasNext}
	}
}

// sent returns the parts whose object the initial response holds: written,
// and not cut since (a null propagated over it).
func (x *execution) sent() map[*part]bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[*part]bool, len(x.parts))
	for _, p := range x.parts {
		if p.n.seq == 0 || slices.ContainsFunc(x.cuts, func(c cut) bool { return c.seq > p.n.seq && c.at <= p.n.pos }) {
			continue
		}
		out[p] = true
	}
	return out
}

// next waits for a part of pending to be ready and returns it. Every field
// ends by the deadline, so does the wait.
func (x *execution) next(pending map[*part]bool) *part {
	for {
		x.mu.Lock()
		for i, p := range x.ready {
			if pending[p] {
				x.ready = slices.Delete(x.ready, i, i+1)
				x.mu.Unlock()
				return p
			}
		}
		x.mu.Unlock()
		<-x.wake
	}
}

// announced returns the parts to come, ordered by path and group, for a
// client that is told them up front.
func announced(pending map[*part]bool) []*part {
	out := make([]*part, 0, len(pending))
	for p := range pending {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *part) int {
		return cmp.Or(cmp.Compare(a.path.String(), b.path.String()), cmp.Compare(a.group, b.group))
	})
	return out
}
