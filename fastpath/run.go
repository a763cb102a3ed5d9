package fastpath

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/dashboard"
	"github.com/acme/dashboard-gateway/observability"
)

// execution is one run of a plan.
type execution struct {
	s     *Schema
	opCtx *graphql.OperationContext
	roots []root
	root  []*field // the plan's root fields, the roots' fields in order
	// resolved, when set, is told of each service-backed field of a board
	// once its value or error is in place.
	resolved func(b *board, i int)
}

// root is a resolved top-level field: its dashboards, or why there are none.
type root struct {
	field  *field
	boards []*board
	err    error
}

// board is one dashboard being resolved: the values of its service-backed
// fields, by their index in the selection.
type board struct {
	d      *dashboard.Dashboard
	fields []*field
	path   ast.Path // of the dashboard in the response
	values []any
	errs   []error
}

// run executes p and returns the response's data.
func (s *Schema) run(ctx context.Context, p *plan) []byte {
	x := &execution{s: s, opCtx: graphql.GetOperationContext(ctx)}
	x.resolve(ctx, x.openRoots(ctx, p))
	return x.write(ctx)
}

// openRoots opens the dashboards of p's root fields, and returns them all.
func (x *execution) openRoots(ctx context.Context, p *plan) []*board {
	x.root = p.root
	var boards []*board
	for _, f := range p.root {
		r := root{field: f}
		switch f.name {
		case "dashboard":
			r.boards, r.err = x.open(ctx, f, []string{x.id(f.ast, "userId")}, ast.Path{f.elem}, false)
		case "dashboards":
			r.boards, r.err = x.open(ctx, f, x.ids(f.ast, "userIds"), ast.Path{f.elem}, true)
		}
		boards = append(boards, r.boards...)
		x.roots = append(x.roots, r)
	}
	return boards
}

// open opens the dashboards of userIDs for field f of Query (a list, when
// list is set, whose elements' paths get their index).
func (x *execution) open(ctx context.Context, f *field, userIDs []string, path ast.Path, list bool) (out []*board, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered{x.opCtx.Recover(ctx, p)}
		}
	}()
	var sel dashboard.Selection
	for _, sub := range f.sub {
		if isServiceField(sub.name) {
			sel.Fields = append(sel.Fields, sub.name)
		}
	}
	ds, err := x.s.dashboards.Open(ctx, userIDs, sel)
	if err != nil {
		return nil, err
	}
	out = make([]*board, len(ds))
	for i, d := range ds {
		b := &board{d: d, fields: f.sub, path: path, values: make([]any, len(f.sub)), errs: make([]error, len(f.sub))}
		if list {
			b.path = append(path[:len(path):len(path)], ast.PathIndex(i))
		}
		out[i] = b
	}
	return out, nil
}

func isServiceField(name string) bool {
	switch name {
	case "profile", "orders", "recommendations", "notifications", "wallet":
		return true
	}
	return false
}

// resolve resolves the service-backed fields of every dashboard, at most
// MaxConcurrent dashboards at once, the fields of each concurrently.
func (x *execution) resolve(ctx context.Context, boards []*board) {
	if len(boards) == 1 {
		x.resolveBoard(ctx, boards[0])
		return
	}
	slots := make(chan struct{}, x.s.maxConcurrent)
	var wg sync.WaitGroup
	for _, b := range boards {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			x.resolveBoard(ctx, b)
		})
	}
	wg.Wait()
}

// resolveBoard resolves one dashboard's service-backed fields at once: all
// but the last in goroutines of their own, the last in this one.
func (x *execution) resolveBoard(ctx context.Context, b *board) {
	var wg sync.WaitGroup
	last := -1
	for i, f := range b.fields {
		if !isServiceField(f.name) {
			continue
		}
		if last >= 0 {
			wg.Go(func(i int) func() { return func() { x.resolveField(ctx, b, i) } }(last))
		}
		last = i
	}
	if last >= 0 {
		x.resolveField(ctx, b, last)
	}
	wg.Wait()
}

// resolveField resolves field i of b through package dashboard, watched as
// gqlgen's resolvers are (observability.Field); a panic becomes the field's
// error.
func (x *execution) resolveField(ctx context.Context, b *board, i int) {
	f := b.fields[i]
	ctx, done := observability.Field(ctx, f.name, func() ast.Path { return fieldPath(b.path, f.elem) })
	var v any
	var err error
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, recovered{x.opCtx.Recover(ctx, p)}
		}
		done(err)
		b.values[i], b.errs[i] = v, err
		if x.resolved != nil {
			x.resolved(b, i)
		}
	}()
	svc, d := x.s.dashboards, b.d
	switch f.name {
	case "profile":
		v, err = svc.Profile(ctx, d)
	case "orders":
		v, err = svc.Orders(ctx, d, optional(x, f.ast, "first", graphql.UnmarshalInt), selects(f.sub, "items", "product"))
	case "recommendations":
		v, err = svc.Recommendations(ctx, d, optional(x, f.ast, "first", graphql.UnmarshalInt), selects(f.sub, "product"))
	case "notifications":
		v, err = svc.Notifications(ctx, d, optional(x, f.ast, "first", graphql.UnmarshalInt), optional(x, f.ast, "unreadOnly", graphql.UnmarshalBoolean))
	case "wallet":
		v, err = svc.Wallet(ctx, d)
	}
}

// selects reports whether fields reach the field path below them.
func selects(fields []*field, path ...string) bool {
	for _, f := range fields {
		if f.name == path[0] && (len(path) == 1 || selects(f.sub, path[1:]...)) {
			return true
		}
	}
	return false
}

// The arguments, coerced as gqlgen coerces them for its resolvers. The
// document was validated and the limits checked its values, so a value
// that does not coerce cannot come here; it would read as absent.

func (x *execution) arg(f *ast.Field, name string) any {
	return f.ArgumentMap(x.opCtx.Variables)[name]
}

func (x *execution) id(f *ast.Field, name string) string {
	id, _ := graphql.UnmarshalID(x.arg(f, name))
	return id
}

func (x *execution) ids(f *ast.Field, name string) []string {
	list := graphql.CoerceList(x.arg(f, name))
	out := make([]string, len(list))
	for i, v := range list {
		out[i], _ = graphql.UnmarshalID(v)
	}
	return out
}

// optional returns f's argument name as a T, or nil when it is null or
// absent (validation has checked its type).
func optional[T any](x *execution, f *ast.Field, name string, unmarshal func(any) (T, error)) *T {
	v := x.arg(f, name)
	if v == nil {
		return nil
	}
	t, err := unmarshal(v)
	if err != nil {
		return nil
	}
	return &t
}

// recovered is the error a panic became (the recover func logged it).
type recovered struct{ err error }

func (r recovered) Error() string { return r.err.Error() }

// fail adds err to the response as the error of the field at path, as
// gqlgen reports them: a resolver's error with the field's location, a
// panic's without.
func (x *execution) fail(ctx context.Context, err error, path ast.Path, f *ast.Field) {
	if r, ok := err.(recovered); ok {
		graphql.AddError(ctx, gqlerror.WrapPath(path, r.err))
		return
	}
	e := gqlerror.WrapPath(path, err)
	if f.Position != nil && f.Position.Line != 0 {
		e.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	graphql.AddError(ctx, e)
}

// fieldPath returns the path of the field elem in the object at path, as
// gqlgen's FieldContext.Path() does, without touching path.
func fieldPath(path ast.Path, elem ast.PathElement) ast.Path {
	return append(path[:len(path):len(path)], elem)
}
