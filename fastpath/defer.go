package fastpath

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// incremental reports whether the operation's client accepts incremental
// delivery (multipart/mixed): only then is @defer honoured; otherwise a
// deferred fragment is delivered with its parent, as the incremental
// delivery RFC allows.
func (s *Schema) incremental(opCtx *graphql.OperationContext) bool {
	return opCtx.Headers != nil && graphqlhttp.AcceptsIncremental(opCtx.Headers.Get("Accept"))
}

// part is one deferred group of one dashboard: a payload of its own.
type part struct {
	b     *board
	group int
}

// streaming is the state of one run of a plan with deferred groups.
type streaming struct {
	mu      sync.Mutex
	pending map[part]int  // service-backed fields not resolved yet, per part; group 0: the initial response's
	initial int           // service-backed fields of group 0 not resolved yet, of all dashboards
	started chan struct{} // closed when initial reaches 0
	ready   chan part     // the parts whose fields all resolved, in that order; room for all
}

// stream runs p, whose Dashboard fields are split into deferred groups, and
// returns its responses: the first once every field of the initial
// response has resolved, then one per deferred group of each dashboard, in
// the order their fields finish resolving. All fields start resolving at
// once, under ctx (the request's deadline): a group left at the deadline
// completes then, with its fields' DEADLINE_EXCEEDED errors.
func (s *Schema) stream(ctx context.Context, p *plan) graphql.ResponseHandler {
	x := &execution{s: s, opCtx: graphql.GetOperationContext(ctx)}
	st := &streaming{pending: map[part]int{}, started: make(chan struct{})}
	remaining := 0
	first := true
	return func(rctx context.Context) *graphql.Response {
		if first {
			first = false
			boards := x.openRoots(ctx, p)
			parts := st.count(boards, len(p.defers))
			x.resolved = st.resolved
			go x.resolve(ctx, boards)
			<-st.started
			data := x.write(rctx)
			if string(data) != "null" { // no parts below a failed root
				remaining = parts
			}
			hasNext := remaining > 0
			return &graphql.Response{Data: data, HasNext: &hasNext}
		}
		if remaining == 0 {
			return nil
		}
		pt := <-st.ready // every field ends by the deadline, so does the wait
		remaining--
		w := x.writer(rctx)
		w.dashboard(pt.b, pt.group)
		hasNext := remaining > 0
		return &graphql.Response{Data: w.b, Path: pt.b.path, Label: p.defers[pt.group-1], HasNext: &hasNext}
	}
}

// count sets up the counters of boards' fields in groups 1..groups and
// returns how many parts there are: one per dashboard and group that has
// fields. A part whose fields need no service is ready at once.
func (st *streaming) count(boards []*board, groups int) int {
	has := make([]bool, groups+1)
	for _, b := range boards {
		for _, f := range b.fields {
			has[f.group] = true
			if isServiceField(f.name) {
				if f.group == 0 {
					st.initial++
				} else {
					st.pending[part{b, f.group}]++
				}
			}
		}
	}
	parts := 0
	for g := 1; g <= groups; g++ {
		if has[g] {
			parts += len(boards)
		}
	}
	st.ready = make(chan part, parts)
	for _, b := range boards {
		for g := 1; g <= groups; g++ {
			if has[g] && st.pending[part{b, g}] == 0 {
				st.ready <- part{b, g}
			}
		}
	}
	if st.initial == 0 {
		close(st.started)
	}
	return parts
}

// resolved counts field i of b as resolved.
func (st *streaming) resolved(b *board, i int) {
	g := b.fields[i].group
	st.mu.Lock()
	defer st.mu.Unlock()
	if g == 0 {
		if st.initial--; st.initial == 0 {
			close(st.started)
		}
		return
	}
	pt := part{b, g}
	if st.pending[pt]--; st.pending[pt] == 0 {
		st.ready <- pt // never blocks: ready has room for every part
	}
}
