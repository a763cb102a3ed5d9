package fastpath

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/stack"
)

// element is an object whose batch fields a list resolves: the object, its
// node, its context (its path), and the unit its fields outside any
// deferred group count in.
type element struct {
	obj any
	n   *node
	ctx context.Context
	u   *unit
}

// object returns v's value as resolvers take an object (a pointer), and
// whether v is an object rather than a list or nothing.
func object(v reflect.Value) (any, bool) {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return nil, false
		}
		return v.Interface(), true
	case reflect.Struct:
		if v.CanAddr() {
			return v.Addr().Interface(), true
		}
		return v.Interface(), true
	}
	return nil, false
}

// batch starts resolving batch field f (index i of its selection) of the
// objects of one list, as gqlgen does (batch: true): one call of its batch
// resolver for them all, in the context of the first one's field, each
// object's slot getting its result or error. The call counts in every unit
// its fields' group has among the objects.
func (x *execution) batch(f *field, i int, objects []element) {
	units := map[*unit]bool{}
	for _, e := range objects {
		units[unitOf(e, f.group)] = true
	}
	for u := range units {
		u.add()
	}
	ctx := graphql.WithFieldContext(objects[0].ctx, &graphql.FieldContext{
		Object: f.typ.object, Field: collected(f), IsMethod: true, IsResolver: true,
	})
	turn := x.turn(ctx)
	go func() {
		stack.Grow()
		defer func() {
			for u := range units {
				u.finish()
			}
		}()
		parents := make([]any, len(objects))
		for j, e := range objects {
			parents[j] = e.obj
		}
		results, err := x.callBatch(context.WithValue(ctx, selectionKey{}, f), f, parents)
		if turn {
			<-x.tokens
		}
		for j, e := range objects {
			s := &e.n.slots[i]
			s.v, s.err = batchResult(f, j, len(parents), results, err)
			s.set = true
			if s.err == nil && f.sub != nil && f.sub.visit {
				fctx := graphql.WithFieldContext(e.ctx, &graphql.FieldContext{
					Object: f.typ.object, Field: collected(f), IsMethod: true, IsResolver: true,
				})
				s.kid = x.value(fctx, f, reflect.ValueOf(s.v), unitOf(e, f.group))
			}
		}
	}()
}

// unitOf is the unit object e's fields of group count in.
func unitOf(e element, group int) *unit {
	for _, p := range e.n.parts {
		if p.group == group {
			return &p.unit
		}
	}
	return e.u
}

// callBatch calls f's batch resolver. A panic is every object's error.
func (x *execution) callBatch(ctx context.Context, f *field, parents []any) (v []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, recovered{x.opCtx.Recover(ctx, p)}
		}
	}()
	return f.typ.batch(ctx, x, f, parents)
}

// batchResult is the outcome, for parent j of n, of a batch resolver's
// results and error, as gqlgen's ResolveBatchGroupResult makes it: an
// error for all, per parent (graphql.BatchErrors), or for a resolver
// breaking its promise of a result and an error per parent.
func batchResult(f *field, j, n int, results []any, err error) (any, error) {
	name := f.typ.object + "." + f.typ.name
	var be graphql.BatchErrors
	switch {
	case err != nil && !errors.As(err, &be):
		if _, ok := err.(recovered); ok {
			return nil, err
		}
		return nil, batchErr{err}
	case len(results) != n:
		return nil, batchErr{fmt.Errorf("index %d: batch resolver %s returned %d results for %d parents", j, name, len(results), n)}
	case be != nil && len(be.Errors()) != n:
		return nil, batchErr{fmt.Errorf("index %d: batch resolver %s returned %d errors for %d parents", j, name, len(be.Errors()), n)}
	case be != nil && be.Errors()[j] != nil:
		return nil, batchErr{be.Errors()[j]}
	}
	return results[j], nil
}

// batchErr is a batch resolver's error for one parent, reported as gqlgen
// reports it (graphql.AddBatchError): at the parent's field, without a
// location.
type batchErr struct{ err error }

func (e batchErr) Error() string { return e.err.Error() }
