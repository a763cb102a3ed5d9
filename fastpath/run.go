package fastpath

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/coercion"
	"github.com/acme/dashboard-gateway/stack"
)

// execution is one run of a plan: first every resolver field is resolved,
// concurrently and at any depth (resolve), then the response is written
// from the values (write.go).
type execution struct {
	s      *Schema
	opCtx  *graphql.OperationContext
	plan   *plan
	tokens chan struct{} // resolver calls in flight
	root   *node

	// Deferred parts (defer.go).
	mu    sync.Mutex
	cuts  []cut         // the initial response's
	parts []*part       // every part of the objects visited
	ready []*part       // parts whose fields resolved, not taken yet
	wake  chan struct{} // signalled when ready grows
	flags [2]bool       // false and true, for the responses' HasNext

	// What the parts' responses are made of, taken by the one goroutine
	// that asks for them (stream): their data, copied out of the writer's
	// buffer into chunks shared by many parts, and the responses
	// themselves, allocated together.
	data      []byte
	responses []graphql.Response
}

func (s *Schema) newExecution(opCtx *graphql.OperationContext, p *plan) *execution {
	return &execution{s: s, opCtx: opCtx, plan: p, tokens: make(chan struct{}, s.maxInFlight), flags: [2]bool{false, true}}
}

// A node is what the resolve phase learned of one object, or list, of the
// response that has resolvers below it: the outcome of each field of the
// object's selection that needed resolving, or the nodes of the list's
// elements. The writer reads it alongside the values; each slot is written
// by one goroutine before the unit it is counted in completes.
type node struct {
	slots []slot  // of an object: by index of the field in its selection
	elems []*node // of a list: by index
	parts []*part // of an object: its deferred parts

	// Where the initial response wrote the object (defer.go): its parts
	// are sent only if it is still there.
	seq, pos int
}

// slot is the outcome of one field of one object.
type slot struct {
	set bool
	v   any
	err error
	kid *node // of its value
}

// at returns n's slot i when it was set, else nil.
func (n *node) at(i int) *slot {
	if n == nil || !n.slots[i].set {
		return nil
	}
	return &n.slots[i]
}

// kid returns the node of the value of n's field i, or nil.
func (n *node) kid(i int) *node {
	if n == nil {
		return nil
	}
	return n.slots[i].kid
}

// elem returns the node of the element i of n's list, or nil.
func (n *node) elem(i int) *node {
	if n == nil || n.elems == nil {
		return nil
	}
	return n.elems[i]
}

// A unit is work whose end someone waits for: the fields of the initial
// response, or of one deferred part. It counts its tasks in flight, plus
// one while tasks may still be added to it (a hold, released by whoever
// took it once it has added them); when the count reaches 0, the unit of
// a part tells the execution the part is ready, the initial one closes
// done.
type unit struct {
	n    atomic.Int64
	x    *execution
	part *part         // nil: the initial response's
	done chan struct{} // of the initial response's
}

// hold starts u's count at the hold.
func (u *unit) hold() { u.n.Store(1) }

func (u *unit) add() { u.n.Add(1) }

func (u *unit) finish() {
	if u.n.Add(-1) != 0 {
		return
	}
	if u.part != nil {
		u.x.readied(u.part)
	} else {
		close(u.done)
	}
}

// resolve resolves every field of the initial response that needs it, and
// starts the deferred ones, returning once the initial response's are in:
// every resolver returns by ctx's deadline, so resolve does too.
func (x *execution) resolve(ctx context.Context) {
	u := &unit{x: x, done: make(chan struct{})}
	u.hold()
	x.root = x.object(ctx, x.s.types["Query"], x.plan.root, nil, u, false)
	u.finish()
	<-u.done
}

// object starts resolving, under unit u, what fields of obj (an object of
// type t) need: each resolver field as a task of its own, and the walk
// below the others. A deferred group's fields go in the group's part
// instead of u. ctx carries the field context of obj's field (its path).
// The batch fields of an element of a list are the list's to resolve
// (batch.go), those of an object on its own its own; so is releasing the
// holds of its parts' units, once the batch fields are started.
func (x *execution) object(ctx context.Context, t *objectType, sel *selection, obj any, u *unit, inList bool) *node {
	if !sel.visit {
		return nil
	}
	n := &node{slots: make([]slot, len(sel.fields))}
	// The last resolver field met is kept back, and runs in this goroutine
	// once the others are started (unless obj is a list's element: the
	// list's next elements must not wait for it), as gqlgen's executor
	// runs the last of an object's concurrent fields.
	var last later
	var parts []*part
	if len(sel.groups) > 0 {
		parts = x.newParts(ctx, t, sel, obj, n)
		n.parts = parts
	}
	for i, f := range sel.fields {
		if !f.work {
			continue
		}
		fu := u
		if f.group > 0 {
			for _, p := range parts {
				if p.group == f.group {
					fu = &p.unit
				}
			}
		}
		s := &n.slots[i]
		switch f.typ.kind {
		case kindResolver:
			fu.add()
			if last.f != nil {
				last.spawn(ctx, x, obj)
			}
			last = later{f, s, fu}
			continue
		case kindBatch:
			if !inList {
				x.batch(f, i, []element{{obj: obj, n: n, ctx: ctx, u: u}})
			}
			continue
		}
		fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: t.name, Field: collected(f)})
		v, err := x.get(fctx, f, obj)
		*s = slot{set: true, v: v, err: err}
		if err == nil {
			s.kid = x.value(fctx, f, reflect.ValueOf(v), fu)
		}
	}
	if last.f != nil {
		if inList {
			last.spawn(ctx, x, obj)
		} else {
			x.task(ctx, last.f, last.s, obj, last.u, x.turn(ctx))
		}
	}
	if !inList {
		release(n)
	}
	return n
}

// later is a resolver field of an object whose task is not started yet.
type later struct {
	f *field
	s *slot
	u *unit
}

// spawn starts l's task in a goroutine of its own, once it has a turn.
func (l later) spawn(ctx context.Context, x *execution, obj any) {
	turn := x.turn(ctx)
	go x.task(ctx, l.f, l.s, obj, l.u, turn)
}

// release releases the holds of n's parts: every task of theirs is
// counted (those of the batch fields of a list's element too, once its
// list has started them).
func release(n *node) {
	for _, p := range n.parts {
		p.unit.finish()
	}
}

// turn waits for a turn to call a resolver, in a goroutine of its own, and
// reports whether it got one: at most maxInFlight at once. Once ctx is
// done every resolver fails at once, so the wait ends and the call goes
// ahead without a turn.
func (x *execution) turn(ctx context.Context) bool {
	select {
	case x.tokens <- struct{}{}: // the usual case, without a select's cost
		return true
	default:
	}
	select {
	case x.tokens <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// task resolves field f of obj into s, then starts what its value needs,
// in unit u. It gives its turn back once the resolver returned. A panic
// is the field's error.
func (x *execution) task(ctx context.Context, f *field, s *slot, obj any, u *unit, turn bool) {
	stack.Grow()
	defer u.finish()
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Object: f.typ.object, Field: collected(f), IsMethod: true, IsResolver: true,
	})
	s.v, s.err = x.call(context.WithValue(ctx, selectionKey{}, f), f, obj)
	s.set = true
	if turn {
		<-x.tokens
	}
	if s.err == nil && f.sub != nil && f.sub.visit {
		s.kid = x.value(ctx, f, reflect.ValueOf(s.v), u)
	}
}

// call calls f's resolver. A panic is the field's error.
func (x *execution) call(ctx context.Context, f *field, obj any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, recovered{x.opCtx.Recover(ctx, p)}
		}
	}()
	return f.typ.resolve(ctx, x, f, obj)
}

// get returns the value of plain field f of obj for the walk below it. A
// panic is the field's error.
func (x *execution) get(ctx context.Context, f *field, obj any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, recovered{x.opCtx.Recover(ctx, p)}
		}
	}()
	return f.typ.get(ctx, x, f, obj)
}

// checkArgs applies the specification's rules for null arguments, which
// gqlgen's coercion does not (package coercion), once f's arguments are
// coerced, as gqlgen's executor does with coercion.Extension.
func (x *execution) checkArgs(f *field) error {
	return coercion.Arguments(f.ast, x.opCtx.Variables)
}

// argErr is the coercion error of an argument of a field, at a path below
// the field's (the argument's name, then list indexes), as gqlgen reports
// it: without a location.
type argErr struct {
	rel ast.Path
	err error
}

func (e argErr) Error() string { return e.err.Error() }

// argError returns err as the error of the argument named, or list element
// indexed, at.
func argError[T string | int](at T, err error) error {
	var el ast.PathElement
	switch at := any(at).(type) {
	case string:
		el = ast.PathName(at)
	case int:
		el = ast.PathIndex(at)
	}
	if a, ok := err.(argErr); ok {
		return argErr{rel: append(ast.Path{el}, a.rel...), err: a.err}
	}
	return argErr{rel: ast.Path{el}, err: err}
}

// value starts what the value v of field f needs: an object's fields, or
// each element's of a list, in unit u.
func (x *execution) value(ctx context.Context, f *field, v reflect.Value, u *unit) *node {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Map:
		if v.IsNil() {
			return nil
		}
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		n := &node{elems: make([]*node, v.Len())}
		var objects []element // the elements that are objects, for the batch fields
		for i := range n.elems {
			ictx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
			e := v.Index(i)
			if obj, ok := object(e); ok {
				n.elems[i] = x.object(ictx, x.s.types[f.typ.elem], f.sub, obj, u, true)
				if n.elems[i] != nil {
					objects = append(objects, element{obj: obj, n: n.elems[i], ctx: ictx, u: u})
				}
				continue
			}
			n.elems[i] = x.value(ictx, f, e, u)
		}
		if f.sub.batches && len(objects) > 0 {
			for i, g := range f.sub.fields {
				if g.typ.kind == kindBatch {
					x.batch(g, i, objects)
				}
			}
		}
		for _, e := range objects {
			release(e.n)
		}
		return n
	case reflect.Struct:
		if v.CanAddr() {
			v = v.Addr() // an element of a slice of values: gqlgen hands resolvers its address
		}
	}
	return x.object(ctx, x.s.types[f.typ.elem], f.sub, v.Interface(), u, false)
}

// collected is f as gqlgen's CollectFields gives it to resolvers.
func collected(f *field) graphql.CollectedField {
	return graphql.CollectedField{Field: f.ast, Selections: f.sels}
}

// recovered is the error a panic became (the recover func logged it).
type recovered struct{ err error }

func (r recovered) Error() string { return r.err.Error() }

// selectionKey carries, in the context of a resolver the fast path calls,
// the planned field the resolver resolves.
type selectionKey struct{}

// Selection is what a resolver's field selects below it, as the fast path
// planned it: the same answer as collecting the field's selection sets
// (graphql.CollectFields), without collecting them again.
type Selection struct{ f *field }

// SelectionOf returns the selection of the resolver field whose context
// ctx is, and false when the fast path is not the one calling it.
func SelectionOf(ctx context.Context) (Selection, bool) {
	f, ok := ctx.Value(selectionKey{}).(*field)
	return Selection{f}, ok
}

// Selects reports whether the selection reaches the field path below it
// (schema names: "items", "product").
func (s Selection) Selects(path ...string) bool { return selects(s.f.sub, path) }

func selects(sel *selection, path []string) bool {
	if sel == nil {
		return false
	}
	for _, f := range sel.fields {
		if f.typ.name == path[0] && (len(path) == 1 || selects(f.sub, path[1:])) {
			return true
		}
	}
	return false
}

// Fields calls yield with the schema name of each field the selection has
// (once per response key), in order.
func (s Selection) Fields(yield func(name string) bool) {
	if s.f.sub == nil {
		return
	}
	for _, f := range s.f.sub.fields {
		if !yield(f.typ.name) {
			return
		}
	}
}
